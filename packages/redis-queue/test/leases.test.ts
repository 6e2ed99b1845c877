import { type LoggerLike, silentLogger } from "@octo/internal";
import { RedisQueue } from "@octo/redis-queue";
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { sleep, useRedis } from "./support";

const env = useRedis();

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A logger that keeps the messages of its warnings. */
function recordingLogger(): LoggerLike & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    ...silentLogger,
    warnings,
    warn: (...args: unknown[]) => {
      warnings.push(String(args.find((a) => typeof a === "string") ?? ""));
    },
  } as LoggerLike & { warnings: string[] };
}

describe("leases", () => {
  it("items taken ahead keep their leases while they wait for a free handler", async () => {
    const total = 6;
    await new RedisQueue<number>("buffered", env.redis).fill(Array.from({ length: total }, (_, i) => i));
    const logger = recordingLogger();
    // Each handler outlasts the lease twice over, so an item taken ahead waits longer than its
    // lease: only renewal of the waiting items keeps them from being taken a second time.
    const queue = new RedisQueue<number>("buffered", env.redis, { leaseTime: 300 });
    const seen = new Map<number, number>();
    const result = await queue.work(
      async (item) => {
        seen.set(item, (seen.get(item) ?? 0) + 1);
        await sleep(600);
      },
      { parallelism: 2, drainGraceMs: 0, logger },
    );
    expect([...seen.values()]).toEqual(Array(total).fill(1));
    expect(result).toEqual({ processed: total, failed: 0, deadLettered: 0 });
    expect(logger.warnings).toEqual([]);
  });

  it("a worker whose lease ran out cannot ack the item its next holder is working on", async () => {
    const inflight = "octo:q:{stalled}:inflight";
    await new RedisQueue<string>("stalled", env.redis).fill(["only"]);
    const logger = recordingLogger();
    const first = new RedisQueue<string>("stalled", env.redis, { leaseTime: 600 });
    const second = new RedisQueue<string>("stalled", env.server.client(), { leaseTime: 600 });
    let secondStarted = false;
    let firstSignal: AbortSignal | undefined;
    let secondWork: Promise<unknown> | undefined;
    let secondSawItemInFlight = false;

    const firstWork = first.work(
      async (_item, { signal }) => {
        firstSignal = signal;
        // The holder stalls: its lease is made to run out, so another worker takes the item.
        const [id] = await env.redis.zrange(inflight, 0, "-1");
        await env.redis.zadd(inflight, "XX", 1, id as string);
        secondWork = second.work(
          async () => {
            secondStarted = true;
            // Hold the item until the first worker has tried to ack it.
            await until("the stalled worker's ack", () =>
              logger.warnings.some((w) => w.startsWith("acks refused")),
            );
            secondSawItemInFlight = (await env.redis.zcard(inflight)) === 1;
          },
          { drainGraceMs: 0 },
        );
        await until("the second worker to start", () => secondStarted);
        // The next renewal finds the lease gone and aborts this handler's signal.
        await until("the lost lease to abort the signal", () => signal.aborted);
      },
      { logger, drainGraceMs: 0 },
    );
    const [firstResult] = await Promise.all([firstWork, until("second", () => secondWork !== undefined)]);
    const secondResult = await secondWork;
    expect(firstSignal?.aborted).toBe(true);
    expect(String((firstSignal?.reason as Error | undefined)?.message)).toMatch(/lease of item .* was lost/);
    expect(firstResult).toEqual({ processed: 1, failed: 0, deadLettered: 0 });
    expect(secondSawItemInFlight).toBe(true);
    expect(secondResult).toEqual({ processed: 1, failed: 0, deadLettered: 0 });
    expect(await first.stats()).toEqual({ pending: 0, inFlight: 0, delayed: 0, dead: 0 });
  });

  it("a worker whose lease ran out cannot fail the item into retry or the dead letter", async () => {
    const inflight = "octo:q:{stalled-fail}:inflight";
    await new RedisQueue<string>("stalled-fail", env.redis).fill(["only"]);
    const logger = recordingLogger();
    const queue = new RedisQueue<string>("stalled-fail", env.redis, { retries: 0, leaseTime: 60_000 });
    await queue.work(
      async () => {
        const [id] = await env.redis.zrange(inflight, 0, "-1");
        // Another holder's lease: a different deadline on the same id.
        await env.redis.zadd(inflight, "XX", Date.now() + 120_000, id as string);
        throw new Error("boom");
      },
      { logger, drainGraceMs: 0, signal: AbortSignal.timeout(3000) },
    );
    expect(logger.warnings).toContain("item failed after its lease was lost; its new holder decides");
    expect(await queue.stats()).toEqual({ pending: 0, inFlight: 1, delayed: 0, dead: 0 });
  });

  it("slow items are shared between workers instead of hoarded by the first to take", async () => {
    const total = 40;
    await new RedisQueue<number>("shared", env.redis).fill(Array.from({ length: total }, (_, i) => i));
    const counts = [0, 0];
    await Promise.all(
      [0, 1].map(async (w) => {
        if (w === 1) await sleep(100);
        const queue = new RedisQueue<number>("shared", env.server.client());
        await queue.work(
          async () => {
            counts[w] = (counts[w] ?? 0) + 1;
            await sleep(50);
          },
          { parallelism: 2, drainGraceMs: 200 },
        );
      }),
    );
    expect((counts[0] ?? 0) + (counts[1] ?? 0)).toBe(total);
    // Alone, the first worker would need 1 s for all 40; the second joins after 0.1 s and,
    // with items left for it, does a fair part. A worker that took a whole batch would leave it none.
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(10);
  });

  it("fast items are taken many per round trip", async () => {
    const total = 5000;
    const queue = new RedisQueue<number>("fast", env.redis, { batchSize: 500 });
    await queue.fill(Array.from({ length: total }, (_, i) => i));
    const before = await evalCalls(env.redis);
    await queue.work(async () => {}, { parallelism: 10, drainGraceMs: 0 });
    const calls = (await evalCalls(env.redis)) - before;
    // One take per item would be 5,000 calls plus acks; batches of up to 500 need a few dozen.
    expect(calls).toBeLessThan(total / 20);
  });
});

/** Script calls the env.server has run so far (every queue operation is one script call). */
async function evalCalls(client: Redis): Promise<number> {
  const info = await client.info("commandstats");
  return [...info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}
