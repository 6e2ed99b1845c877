import { RedisQueue } from "@octo/redis-queue";
import { recordingLogger, startTcpProxy, type TcpProxy, waitUntil } from "@octo/testing";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { leaseDeadline, runsScript, sleep, useRedis } from "./support";

// DEBUG SLEEP makes Redis busy for a set time, as a slow command or a fork would.
const env = useRedis({ args: ["--enable-debug-command", "yes"] });
let proxy: TcpProxy | undefined;
const clients: Redis[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await proxy?.close();
  proxy = undefined;
});

/** A client that reaches the test's Redis through a proxy that can lose replies. */
async function proxiedClient(): Promise<Redis> {
  proxy = await startTcpProxy(env.server.port);
  const client = new Redis(proxy.port, "127.0.0.1", { maxRetriesPerRequest: null });
  clients.push(client);
  return client;
}

describe("lease tokens", () => {
  it("a renewal whose reply is lost and re-sent keeps the lease: the ack is accepted, the item runs once", async () => {
    const client = await proxiedClient();
    const queue = new RedisQueue<string>("lost-renewal", client, { leaseTime: 1500 });
    await queue.fill(["only"]);
    let runs = 0;
    let signal: AbortSignal | undefined;
    let cut: Promise<string> | undefined;
    const working = queue.work(
      async (_item, context) => {
        runs++;
        signal = context.signal;
        await cut;
        // The re-sent renewal ran, and another one after it: the deadline moved twice more.
        const deadlineAtCut = await leaseDeadline(env.redis, "lost-renewal", "1");
        let moves = 0;
        let last = deadlineAtCut;
        await waitUntil("two renewals after the lost reply", async () => {
          const now = await leaseDeadline(env.redis, "lost-renewal", "1");
          if (now > last) moves++;
          last = now;
          return moves >= 2;
        });
      },
      { drainGraceMs: 0 },
    );
    cut = proxy?.loseNextReply(runsScript(client, "octoQueueExtend"));
    expect(await working).toEqual({ processed: 1, failed: 0, deadLettered: 0 });
    expect(await cut).toMatch(/eval/);
    expect(runs).toBe(1);
    expect(signal?.aborted).toBe(false);
    expect(await queue.stats()).toEqual({
      pending: 0,
      inFlight: 0,
      delayed: 0,
      dead: 0,
      oldestPendingAgeMs: null,
    });
  });

  it("a renewal that times out while Redis is busy 500 ms keeps a 900 ms lease: the ack is accepted, the item runs once", async () => {
    const client = env.server.client({ commandTimeout: 200 });
    const logger = recordingLogger();
    const queue = new RedisQueue<string>("busy-renewal", client, { leaseTime: 900, logger });
    await queue.fill(["only"]);
    const admin = env.server.client();
    let runs = 0;
    let signal: AbortSignal | undefined;
    const result = await queue.work(
      async (_item, context) => {
        runs++;
        signal = context.signal;
        // Renewals go every 225 ms: the 500 ms sleep holds one back past the 200 ms timeout.
        await admin.call("DEBUG", "SLEEP", "0.5");
        // Then hold the item for more than another lease.
        await sleep(1200);
      },
      { drainGraceMs: 0 },
    );
    expect(logger.messages("warn")).toContain("could not renew leases; trying again while they hold");
    expect(result).toEqual({ processed: 1, failed: 0, deadLettered: 0 });
    expect(runs).toBe(1);
    expect(signal?.aborted).toBe(false);
    expect(await queue.stats()).toEqual({
      pending: 0,
      inFlight: 0,
      delayed: 0,
      dead: 0,
      oldestPendingAgeMs: null,
    });
  });

  it("a take whose reply is lost and re-sent hands over the items it took instead of stranding them", async () => {
    const client = await proxiedClient();
    const queue = new RedisQueue<number>("lost-take", client, { leaseTime: 20_000 });
    await queue.fill(Array.from({ length: 20 }, (_, i) => i));
    const seen = new Map<number, number>();
    const working = queue.work(async (item) => void seen.set(item, (seen.get(item) ?? 0) + 1), {
      parallelism: 2,
      drainGraceMs: 0,
      // Items stranded under a lease nobody holds would keep work() from draining for 20 s.
      signal: AbortSignal.timeout(10_000),
    });
    const cut = proxy?.loseNextReply(runsScript(client, "octoQueueTake"));
    expect(await working).toEqual({ processed: 20, failed: 0, deadLettered: 0 });
    expect(await cut).toMatch(/eval/);
    expect([...seen.values()]).toEqual(Array(20).fill(1));
    expect(await queue.stats()).toEqual({
      pending: 0,
      inFlight: 0,
      delayed: 0,
      dead: 0,
      oldestPendingAgeMs: null,
    });
    expect(await env.redis.hlen("octo:q:{lost-take}:stalls")).toBe(0);
  });

  it("a give-back whose reply is lost and re-sent reports what it gave back the first time", async () => {
    const client = await proxiedClient();
    const logger = recordingLogger();
    const queue = new RedisQueue<number>("lost-release", client, { logger });
    const total = 400;
    await queue.fill(Array.from({ length: total }, (_, i) => i));
    const controller = new AbortController();
    let finished = 0;
    const working = queue.work(
      async () => {
        if (++finished === 100) controller.abort();
      },
      { parallelism: 2, signal: controller.signal },
    );
    const cut = proxy?.loseNextReply(runsScript(client, "octoQueueRelease"));
    await working;
    expect(await cut).toMatch(/eval/);
    const gaveBack = logger.lines.find((line) => line.message === "gave back unstarted items");
    const released = (gaveBack?.args[0] as { released?: number } | undefined)?.released;
    const { pending, inFlight } = await queue.stats();
    expect(inFlight).toBe(0);
    expect(pending).toBe(total - finished);
    // The re-sent call found the items already given back; it answers the first run's count.
    expect(released).toBeGreaterThan(0);
    expect(released).toBe((gaveBack?.args[0] as { items?: number } | undefined)?.items);
  });
});
