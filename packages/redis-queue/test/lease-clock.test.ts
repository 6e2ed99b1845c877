import { RedisQueue } from "@octo/redis-queue";
import { startTcpProxy } from "@octo/testing";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { sleep, useRedis } from "./support";

const env = useRedis();

describe("local lease clock", () => {
  it("a worker whose connection stalls starts no item whose lease may have run out, and aborts running handlers before another worker gets their items", async () => {
    const total = 300;
    const proxy = await startTcpProxy(env.server.port);
    const stalledClient = new Redis(proxy.port, "127.0.0.1", { maxRetriesPerRequest: null });
    try {
      await new RedisQueue<number>("stalls", env.redis).fill(Array.from({ length: total }, (_, i) => i));
      const stalledQueue = new RedisQueue<number>("stalls", stalledClient, { leaseTime: 2000 });
      const startedByStalled = new Map<number, number>();
      const abortedInStalled = new Map<number, number>();
      const startedByOther = new Map<number, number>();
      let stalled = false;
      let stallStarted: () => void = () => {};
      const stallBegan = new Promise<void>((resolve) => {
        stallStarted = resolve;
      });
      const stalledWork = stalledQueue.work(
        async (item, { signal }) => {
          startedByStalled.set(item, performance.now());
          signal.addEventListener("abort", () => abortedInStalled.set(item, performance.now()));
          if (item === 100) {
            // Fast items so far made this worker take ahead; now its connection goes silent.
            proxy.stall();
            stalled = true;
            stallStarted();
          }
          // Slow from here on: its items taken ahead outlast their leases in its buffer.
          if (stalled) await sleep(200);
        },
        { parallelism: 2, drainGraceMs: 0 },
      );
      await stallBegan;
      const other = new RedisQueue<number>("stalls", env.server.client(), { leaseTime: 2000 });
      await other.work(
        async (item) => {
          startedByOther.set(item, performance.now());
        },
        { parallelism: 2, drainGraceMs: 0 },
      );
      proxy.unstall();
      await stalledWork;

      const handled = new Set([...startedByStalled.keys(), ...startedByOther.keys()]);
      expect(handled.size).toBe(total);
      const both = [...startedByOther.keys()].filter((item) => startedByStalled.has(item));
      expect(both.length).toBeGreaterThan(0);
      for (const item of both) {
        // Run twice only when the stalled worker's handler started first and its signal fired
        // before the other worker started the item.
        const otherStart = startedByOther.get(item) as number;
        expect((startedByStalled.get(item) as number) < otherStart).toBe(true);
        expect(abortedInStalled.get(item) ?? Number.POSITIVE_INFINITY).toBeLessThan(otherStart);
      }
      expect(await other.stats()).toEqual({
        pending: 0,
        inFlight: 0,
        delayed: 0,
        dead: 0,
        oldestPendingAgeMs: null,
      });
    } finally {
      stalledClient.disconnect();
      await proxy.close();
    }
  });

  it("a lease far longer than a Node.js timer can wait neither renews every millisecond nor aborts at once", async () => {
    const queue = new RedisQueue<string>("long-lease", env.redis, { leaseTime: "80d" });
    await queue.fill(["only"]);
    const before = await scriptCalls(env.redis);
    let aborted: boolean | undefined;
    await queue.work(
      async (_item, { signal }) => {
        await sleep(500);
        aborted = signal.aborted;
      },
      { drainGraceMs: 0 },
    );
    expect(aborted).toBe(false);
    // A take, an ack, and the take that finds the queue empty; no renewals in 500 ms.
    expect((await scriptCalls(env.redis)) - before).toBeLessThan(10);
  });
});

/** Script calls the server has run so far. */
async function scriptCalls(client: Redis): Promise<number> {
  const info = await client.info("commandstats");
  return [...info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}
