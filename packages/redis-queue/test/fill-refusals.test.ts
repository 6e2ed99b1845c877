import { RedisQueue } from "@octo/redis-queue";
import { waitUntil } from "@octo/testing";
import { describe, expect, it } from "vitest";
import { useRedis } from "./support";

const env = useRedis();

/** Every key of the queue with a DUMP of its value: equal snapshots mean nothing was written. */
async function snapshot(name: string): Promise<Record<string, string>> {
  const keys = (await env.redis.keys(`octo:q:{${name}}:*`)).sort();
  const out: Record<string, string> = {};
  for (const key of keys) out[key] = (await env.redis.dumpBuffer(key))?.toString("base64") ?? "(gone)";
  return out;
}

/** An async iterable that records whether fill() ever asked it for a batch. */
function watchedBatches(batches: number[][]): { iterable: AsyncIterable<number[]>; asked: () => boolean } {
  let asked = false;
  return {
    asked: () => asked,
    iterable: {
      async *[Symbol.asyncIterator]() {
        asked = true;
        yield* batches;
      },
    },
  };
}

describe("fill() is refused while the queue still has work", () => {
  it("refused while an item is in flight: nothing written, a generator never iterated; accepted once drained", async () => {
    const queue = new RedisQueue<number>("refuse-inflight", env.redis, { leaseTime: "30s" });
    expect(await queue.fill([1])).toBe(true);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const working = queue.work(async () => held, { drainGraceMs: 0 });
    try {
      await waitUntil("the item to be in flight", async () => {
        const s = await queue.stats();
        return s.inFlight === 1 && s.pending === 0;
      });
      const before = await snapshot("refuse-inflight");

      expect(await queue.fill([2, 3])).toBe(false);
      const generator = watchedBatches([[4], [5]]);
      expect(await queue.fill(generator.iterable)).toBe(false);

      expect(generator.asked()).toBe(false);
      expect(await snapshot("refuse-inflight")).toEqual(before);
      expect(await queue.stats()).toEqual({
        pending: 0,
        inFlight: 1,
        delayed: 0,
        dead: 0,
        oldestPendingAgeMs: null,
      });
    } finally {
      release();
    }
    expect((await working).processed).toBe(1);
    expect(await queue.fill([6])).toBe(true);
    expect(await queue.stats()).toMatchObject({ pending: 1, inFlight: 0 });
    await queue.close();
  });

  it("refused while an item waits in delayed for its retry: nothing written", async () => {
    const queue = new RedisQueue<number>("refuse-delayed", env.redis, { retries: 1, timeout: "10m" });
    expect(await queue.fill([1])).toBe(true);
    const stop = new AbortController();
    const working = queue.work(
      async () => {
        throw new Error("fails; its retry is ten minutes away");
      },
      { signal: stop.signal },
    );
    try {
      await waitUntil("the failed item to wait in delayed", async () => {
        const s = await queue.stats();
        return s.delayed === 1 && s.inFlight === 0 && s.pending === 0;
      });
    } finally {
      stop.abort();
    }
    await working;
    const before = await snapshot("refuse-delayed");

    expect(await queue.fill([2])).toBe(false);
    const generator = watchedBatches([[3]]);
    expect(await queue.fill(generator.iterable)).toBe(false);

    expect(generator.asked()).toBe(false);
    expect(await snapshot("refuse-delayed")).toEqual(before);
    expect(await queue.stats()).toEqual({
      pending: 0,
      inFlight: 0,
      delayed: 1,
      dead: 0,
      oldestPendingAgeMs: null,
    });
    await queue.close();
  });
});
