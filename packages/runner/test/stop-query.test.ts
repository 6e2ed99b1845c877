import "reflect-metadata";
import { cron, type JobContext, JobStoppedError, job, query, RedisQueue } from "@octo/runner";
import { sleep, waitUntil } from "@octo/testing";
import type { Redis } from "ioredis";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useRunners } from "./support";

const TOTAL = 400;

/** Per item: times its handler finished. */
const handled = new Map<number, number>();
let running = 0;
let started = 0;
let sawAbort = 0;
const ticks: number[] = [];

@cron("stopq")
class StopJobs {
  @query("slow")
  async ids() {
    return Array.from({ length: TOTAL }, (_, i) => i);
  }

  @job("slow", "0 0 1 1 *", { parallelism: 20 })
  async slow(item: number, ctx: JobContext) {
    running++;
    started++;
    await sleep(50);
    if (ctx.signal.aborted) sawAbort++;
    handled.set(item, (handled.get(item) ?? 0) + 1);
    running--;
  }

  @job("tick", "* * * * * *")
  async tick() {
    ticks.push(Date.now());
  }
}
void StopJobs;

const env = useRunners();
let client: Redis;
const queues: RedisQueue<unknown>[] = [];
/** Each test works under a prefix of its own, so neither depends on what the other left in Redis. */
const queueOf = (prefix: string) => {
  const queue = new RedisQueue("stopq.slow", client, { prefix });
  queues.push(queue);
  return queue;
};
const processed = () => [...handled.values()].reduce((a, b) => a + b, 0);

beforeAll(() => {
  client = env.redis.client();
});
beforeEach(() => {
  handled.clear();
  running = 0;
  started = 0;
  sawAbort = 0;
  ticks.length = 0;
});
afterEach(async () => {
  await Promise.all(queues.splice(0).map((queue) => queue.close()));
});

describe("stop a query job", () => {
  it('stop("stopq.slow") stops its queue worker after the items in hand; the rest stay in Redis; other jobs keep firing', async () => {
    const prefix = "stop-one";
    const queue = queueOf(prefix);
    const a = await env.start("a", { prefix });
    try {
      const run = a.run("stopq.slow");
      await waitUntil("the first items to be handled", () => processed() > 0, 20_000);

      await a.stop("stopq.slow");
      const stoppedAt = Date.now();
      // Every item this instance had started is finished, and its signal told it the worker stopped.
      expect(running).toBe(0);
      expect(processed()).toBe(started);
      expect(sawAbort).toBeGreaterThan(0);
      expect((await run).outcome).toBe("succeeded");
      const atStop = await queue.stats();
      expect(atStop).toMatchObject({ inFlight: 0, delayed: 0, dead: 0 });
      expect(atStop.pending).toBe(TOTAL - processed());
      expect(atStop.pending).toBeGreaterThan(0);

      // The other job still fires; nothing more of the stopped one is taken meanwhile.
      await waitUntil(
        "two ticks after the stop",
        () => ticks.filter((t) => t > stoppedAt).length >= 2,
        10_000,
      );
      expect(started).toBe(processed());
      expect(await queue.stats()).toEqual(atStop);
      await expect(a.run("stopq.slow")).rejects.toBeInstanceOf(JobStoppedError);
    } finally {
      await a.stop();
    }
  });

  it("stop() stops every queue worker the same way, and a new runner's start finishes the rest, each item once", async () => {
    const prefix = "stop-all";
    const queue = queueOf(prefix);
    // Items left by an earlier run: a runner's start() works them.
    expect(await queue.fill(Array.from({ length: TOTAL }, (_, i) => i))).toBe(true);
    const b = await env.start("b", { prefix });
    await waitUntil("b to resume the queue", () => processed() > 0, 20_000);
    await b.stop();
    expect(running).toBe(0);
    expect(processed()).toBe(started);
    const atStop = await queue.stats();
    expect(atStop).toMatchObject({ inFlight: 0, delayed: 0, dead: 0, pending: TOTAL - processed() });
    expect(atStop.pending).toBeGreaterThan(0);

    await env.start("c", { prefix });
    await waitUntil("every item to be handled", () => handled.size === TOTAL, 30_000);
    await waitUntil("the queue to be empty", async () => (await queue.stats()).inFlight === 0, 20_000);
    expect([...handled.values()].filter((n) => n !== 1)).toEqual([]);
    expect(await queue.stats()).toEqual({
      pending: 0,
      inFlight: 0,
      delayed: 0,
      dead: 0,
      oldestPendingAgeMs: null,
    });
  });
});
