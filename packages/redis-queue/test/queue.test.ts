import { InvalidArgumentError, RedisQueue, UnencodableItemError } from "@octo/redis-queue";
import { describe, expect, it } from "vitest";
import { setStoredValue, useRedis } from "./support";

const env = useRedis();

describe("RedisQueue", () => {
  it("runs the seed's standalone example: every order processed once", async () => {
    type Order = { id: number; at: Date };
    const orders: Order[] = Array.from({ length: 250 }, (_, id) => ({
      id,
      at: new Date(1_700_000_000_000 + id),
    }));
    const queue = new RedisQueue<Order>("orders", env.redis, 3, "10s");
    const seen: Order[] = [];
    expect(await queue.fill(orders)).toBe(true);
    await queue.work(
      async (order) => {
        seen.push(order);
      },
      undefined,
      10,
    );
    expect(seen.map((o) => o.id).sort((a, b) => a - b)).toEqual(orders.map((o) => o.id));
    expect(seen[0]?.at).toBeInstanceOf(Date);
    expect(await queue.stats()).toEqual({
      pending: 0,
      inFlight: 0,
      delayed: 0,
      dead: 0,
      oldestPendingAgeMs: null,
    });
  });

  it("refuses a fill while items are pending", async () => {
    const queue = new RedisQueue<number>("busy", env.redis);
    expect(await queue.fill([1, 2])).toBe(true);
    expect(await queue.fill([3])).toBe(false);
    expect(await queue.length()).toBe(2);
  });

  it("never runs more handlers at once than parallelism", async () => {
    const queue = new RedisQueue<number>("par", env.redis);
    await queue.fill(Array.from({ length: 60 }, (_, i) => i));
    let running = 0;
    let peak = 0;
    await queue.work(
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      },
      { parallelism: 4, drainGraceMs: 50 },
    );
    expect(peak).toBe(4);
  });

  it("retries a failing item after timeout then 2x timeout, then succeeds", async () => {
    const queue = new RedisQueue<string>("retry", env.redis, { retries: 3, timeout: 200 });
    await queue.fill(["x"]);
    const attempts: { attempt: number; at: number }[] = [];
    await queue.work(
      async (_item, { attempt }) => {
        attempts.push({ attempt, at: Date.now() });
        if (attempt < 3) throw new Error("boom");
      },
      { drainGraceMs: 50 },
    );
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    const [a, b, c] = attempts;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(190);
    expect(c!.at - b!.at).toBeGreaterThanOrEqual(390);
    expect((await queue.stats()).dead).toBe(0);
  });

  it("dead-letters an always failing item after retries + 1 attempts, requeue brings it back", async () => {
    const queue = new RedisQueue<string>("dead", env.redis, { retries: 1, timeout: 20 });
    await queue.fill(["y"]);
    let calls = 0;
    await queue.work(
      async () => {
        calls++;
        throw new Error("always broken");
      },
      { drainGraceMs: 50 },
    );
    expect(calls).toBe(2);
    const [letter] = (await queue.deadLetters()).items;
    expect(letter?.attempts).toBe(2);
    expect(letter?.error).toContain("always broken");
    expect(await queue.requeue()).toBe(1);
    expect(await queue.length()).toBe(1);
    expect(await queue.requeue()).toBe(0);
  });

  it("moves undecodable data to the dead letter and goes on", async () => {
    const queue = new RedisQueue<number>("bad", env.redis);
    await queue.fill([1, 2]);
    await setStoredValue(env.redis, "bad", "1", "0|0|{not json");
    const seen: number[] = [];
    await queue.work(async (n) => void seen.push(n), { drainGraceMs: 50 });
    expect(seen).toEqual([2]);
    expect((await queue.deadLetters()).items[0]?.error).toMatch(/decode error/);
  });

  it("rejects unencodable items without writing anything", async () => {
    const queue = new RedisQueue<unknown>("enc", env.redis);
    await expect(queue.fill([1, { n: 10n }])).rejects.toThrow(UnencodableItemError);
    await expect(queue.fill([1, { n: 10n }])).rejects.toThrow(/item 1/);
    expect(await env.redis.keys("*")).toEqual([]);
  });

  it("validates arguments before writing", async () => {
    expect(() => new RedisQueue("", env.redis)).toThrow(InvalidArgumentError);
    expect(() => new RedisQueue("q", env.redis, -1)).toThrow(/retries/);
    expect(() => new RedisQueue("q", env.redis, 1.5)).toThrow(/retries/);
    expect(() => new RedisQueue("q", env.redis, 1, "soon")).toThrow(/timeout/);
    const queue = new RedisQueue<number>("q", env.redis);
    await expect(queue.work(async () => {}, { parallelism: 0 })).rejects.toThrow(/parallelism/);
    await expect(queue.work("x" as never)).rejects.toThrow(/handler/);
    await expect(queue.fill(5 as never)).rejects.toThrow(InvalidArgumentError);
    expect(await env.redis.keys("*")).toEqual([]);
  });

  it("requeue while workers run neither doubles nor drops an item", async () => {
    const total = 300;
    await new RedisQueue<number>("requeue-live", env.redis).fill(Array.from({ length: total }, (_, i) => i));
    const succeeded = new Map<number, number>();
    const failedOnce = new Set<number>();
    let working = true;
    const worker = () =>
      new RedisQueue<number>("requeue-live", env.server.client(), { retries: 0 }).work(
        async (item) => {
          // Every third item fails its first run and goes to the dead letter.
          if (item % 3 === 0 && !failedOnce.has(item)) {
            failedOnce.add(item);
            throw new Error("first run fails");
          }
          succeeded.set(item, (succeeded.get(item) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 2));
        },
        { parallelism: 4, drainGraceMs: 500 },
      );
    const queue = new RedisQueue<number>("requeue-live", env.redis);
    let requeues = 0;
    const requeuing = (async () => {
      while (working) {
        if (await queue.requeue()) requeues++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await Promise.all([worker(), worker()]);
    working = false;
    await requeuing;
    // A dead letter requeued after both workers drained would be left pending: work it off.
    if (await queue.requeue()) await worker();
    expect(requeues).toBeGreaterThan(0);
    expect(failedOnce.size).toBe(total / 3);
    expect([...succeeded.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect([...succeeded.values()].every((n) => n === 1)).toBe(true);
    expect(await queue.stats()).toEqual({
      pending: 0,
      inFlight: 0,
      delayed: 0,
      dead: 0,
      oldestPendingAgeMs: null,
    });
  });
});
