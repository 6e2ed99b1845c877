import { RedisQueue } from "@octo/redis-queue";
import { sleep, startTcpProxy, type TcpProxy, waitUntil } from "@octo/testing";
import { Redis } from "ioredis";
import { afterEach, expect, it } from "vitest";
import { useRedis } from "./support";

const env = useRedis();
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

it("an item a late-answered take marked as running, and the worker never started, is not counted as a stall", async () => {
  const LEASE_MS = 1000;
  await new RedisQueue<number>("late", env.redis).fill([0, 1]);
  proxy = await startTcpProxy(env.server.port);
  const stalled = proxy;
  const client = new Redis(`redis://127.0.0.1:${stalled.port}/${env.server.db}`, {
    maxRetriesPerRequest: null,
  });
  client.on("error", () => {});
  // maxStalls 0: one counted stall sends the item to the dead letter.
  const queue = new RedisQueue<number>("late", client, { leaseTime: LEASE_MS, batchSize: 1, maxStalls: 0 });
  const ran: number[] = [];
  try {
    const working = queue.work(
      async (n) => {
        ran.push(n);
        // The connection goes silent as item 0 finishes: its ack, then the take of item 1 (which
        // marks item 1 as running for the lane waiting on it) wait in the stalled path.
        if (n === 0) stalled.stall();
      },
      { parallelism: 1, drainGraceMs: 300 },
    );
    await waitUntil("item 0 to run", () => ran.length > 0, 10_000);
    // Longer than the lease: when the take finally runs, its reply comes after the worker's
    // local lease clock has given the lease up, though Redis only just granted it.
    await sleep(1.5 * LEASE_MS);
    stalled.unstall();
    expect(await working).toEqual({ processed: 2, failed: 0, deadLettered: 0 });
    expect(ran).toEqual([0, 1]);
    expect((await queue.deadLetters()).items).toEqual([]);
    expect(await queue.stats()).toEqual({
      pending: 0,
      inFlight: 0,
      delayed: 0,
      dead: 0,
      oldestPendingAgeMs: null,
    });
  } finally {
    client.disconnect();
  }
});
