import { RedisQueue } from "@octo/redis-queue";
import { startRedis, type TestRedis } from "@octo/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterAll(async () => {
  await server.stop();
});
beforeEach(async () => {
  await redis.flushdb();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("work() lifecycle", () => {
  it("keeps working while another instance's fill has not produced its first batch yet", async () => {
    const filler = new RedisQueue<number>("slow-fill", server.client());
    const worker = new RedisQueue<number>("slow-fill", redis);
    async function* slowQuery() {
      await sleep(1500);
      yield [1, 2, 3];
      await sleep(300);
      yield [4, 5];
    }
    const filling = filler.fill(slowQuery());
    await sleep(50);
    const seen: number[] = [];
    // A grace far shorter than the query's first delay: only the filling marker keeps it going.
    const result = await worker.work(async (item) => void seen.push(item), { drainGraceMs: 100 });
    expect(await filling).toBe(true);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(result.processed).toBe(5);
    expect(await worker.stats()).toEqual({ pending: 0, inFlight: 0, delayed: 0, dead: 0 });
  });

  it("on abort finishes the items in hand, takes no new ones, and leaves the rest pending", async () => {
    const total = 500;
    const queue = new RedisQueue<number>("stoppable", redis, { batchSize: 10 });
    await queue.fill(Array.from({ length: total }, (_, i) => i));
    const controller = new AbortController();
    const finished = new Set<number>();
    let startedAfterAbort = 0;
    await queue.work(
      async (item) => {
        if (controller.signal.aborted) startedAfterAbort++;
        await sleep(5);
        finished.add(item);
        if (finished.size === 25) controller.abort();
      },
      { parallelism: 2, signal: controller.signal },
    );
    const stats = await queue.stats();
    expect(stats.inFlight).toBe(0);
    expect(stats.dead).toBe(0);
    expect(startedAfterAbort).toBe(0);
    expect(finished.size + stats.pending).toBe(total);
    // Items taken ahead but never started went back to the head of pending, in their order.
    const unfinished = Array.from({ length: total }, (_, i) => i).filter((i) => !finished.has(i));
    const queued = await redis.lrange("octo:q:{stoppable}:pending", 0, -1);
    const values = await redis.hmget("octo:q:{stoppable}:items", ...queued);
    expect(values.map((v) => Number(v?.split("|")[2]))).toEqual(unfinished);
    expect(values.every((v) => v?.startsWith("0|0|"))).toBe(true);
  });
});
