import { RedisQueue } from "@octo/redis-queue";
import { recordingLogger, startNodeProcess, waitUntil } from "@octo/testing";
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { sleep, useRedis } from "./support";

const env = useRedis();

const fixture = new URL("./fixtures/queue-worker.ts", import.meta.url).pathname;

/**
 * A worker process takes the queue's one item ("only") and is stopped with SIGSTOP while its
 * handler runs, for longer than its 2 s lease; a worker in this process takes the item once the
 * lease ran out and holds it until the stopped one, continued, has tried to end it.
 */
async function stallPastLease(name: string, vars: Record<string, string>) {
  await new RedisQueue<string>(name, env.redis).fill(["only"]);
  const stopped = startNodeProcess(fixture, {
    env: { REDIS_URL: env.server.url, QUEUE: name, LEASE: "2000", ...vars },
  });
  await stopped.waitFor(/^start only$/m);
  process.kill(stopped.pid, "SIGSTOP");
  const next = new RedisQueue<string>(name, env.server.client(), { leaseTime: 2000 });
  let resumed = false;
  const nextHolder = await next.work(
    async () => {
      process.kill(stopped.pid, "SIGCONT");
      resumed = true;
      // Its ack, its failure or (when its handler rejected after the local clock aborted it) its
      // give-back reaches Redis, which refuses it.
      await stopped.waitFor(
        /^(warn acks refused|warn item failed after its lease was lost|info handler interrupted)/m,
      );
    },
    { drainGraceMs: 0 },
  );
  expect(resumed).toBe(true);
  await stopped.waitFor(/^drained$/m);
  await stopped.exited;
  return { stopped: stopped.output(), nextHolder, stats: await next.stats() };
}

describe("leases", () => {
  it("items taken ahead keep their leases while they wait for a free handler", async () => {
    const total = 300;
    await new RedisQueue<number>("buffered", env.redis).fill(Array.from({ length: total }, (_, i) => i));
    const logger = recordingLogger();
    const queue = new RedisQueue<number>("buffered", env.redis, { leaseTime: 1500 });
    const seen = new Map<number, number>();
    let buffered = 0;
    const result = await queue.work(
      async (item) => {
        seen.set(item, (seen.get(item) ?? 0) + 1);
        // Fast items make the worker take ahead; then two items outlast the lease twice over
        // while the items taken ahead wait: only renewal keeps them from being taken again.
        if (item === 200 || item === 201) {
          buffered = (await queue.stats()).inFlight - 2;
          await sleep(3000);
        }
      },
      { parallelism: 2, drainGraceMs: 0, logger },
    );
    expect(buffered).toBeGreaterThan(0);
    expect([...seen.values()]).toEqual(Array(total).fill(1));
    expect(result).toEqual({ processed: total, failed: 0, deadLettered: 0 });
    expect(logger.messages("warn")).toEqual([]);
  });

  it("a worker stopped (SIGSTOP) past its lease cannot ack the item its next holder took", async () => {
    const outcome = await stallPastLease("stalled-ack", { HANDLER_MS: "300" });
    // After SIGCONT the stopped worker's local clock aborts its handler, and Redis refuses its ack.
    expect(outcome.stopped).toMatch(/^aborted only$/m);
    expect(outcome.stopped).toMatch(/^warn acks refused/m);
    expect(outcome.nextHolder).toEqual({ processed: 1, failed: 0, deadLettered: 0 });
    expect(outcome.stats).toEqual({ pending: 0, inFlight: 0, delayed: 0, dead: 0, oldestPendingAgeMs: null });
  });

  it("a worker stopped (SIGSTOP) past its lease cannot fail the item into retry or the dead letter", async () => {
    const outcome = await stallPastLease("stalled-fail", { HANDLER_MS: "300", FAIL: "1", RETRIES: "0" });
    expect(outcome.stopped).toMatch(/^failed only$/m);
    expect(outcome.stopped).toMatch(/^aborted only$/m);
    expect(outcome.nextHolder).toEqual({ processed: 1, failed: 0, deadLettered: 0 });
    expect(outcome.stats).toEqual({ pending: 0, inFlight: 0, delayed: 0, dead: 0, oldestPendingAgeMs: null });
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

  it("a worker with parallelism 1 does not take the next slow item while another worker is idle", async () => {
    await new RedisQueue<number>("no-hoard", env.redis).fill([1, 2, 3, 4]);
    const handledBy: Record<string, number[]> = { first: [], second: [] };
    let firstStarted = false;
    const work = (who: "first" | "second") =>
      new RedisQueue<number>("no-hoard", env.server.client()).work(
        async (item) => {
          handledBy[who]?.push(item);
          if (who === "first") firstStarted = true;
          await sleep(1000);
        },
        { parallelism: 1, drainGraceMs: 0 },
      );
    const first = work("first");
    await waitUntil("the first worker to start an item", () => firstStarted);
    // Started well after the first, so that it also finishes its items well after the first.
    await sleep(300);
    const second = work("second");
    await Promise.all([first, second]);
    // The first worker finished item 1 while the second still ran item 2: it took item 3 then,
    // and left item 4 for the second worker to take when it finished.
    expect(handledBy).toEqual({ first: [1, 3], second: [2, 4] });
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
