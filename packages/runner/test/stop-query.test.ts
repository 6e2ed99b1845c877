import "reflect-metadata";
import { cron, type JobContext, JobStoppedError, job, query, RedisQueue } from "@octo/runner";
import type { Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { useRunners } from "./support";

const TOTAL = 400;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const env = useRunners();
let client: Redis;
const queueStats = () => new RedisQueue("stopq.slow", client).stats();
const processed = () => [...handled.values()].reduce((a, b) => a + b, 0);
const startRunner = (instanceId: string) => env.start(instanceId);

beforeAll(() => {
  client = env.redis.client();
});

describe("stop a query job", () => {
  it('stop("stopq.slow") stops its queue worker after the items in hand; the rest stay in Redis; other jobs keep firing', async () => {
    const a = await startRunner("a");
    const run = a.run("stopq.slow");
    await waitUntil("the first items to be handled", () => processed() > 0);

    await a.stop("stopq.slow");
    const stoppedAt = Date.now();
    // Every item this instance had started is finished, and its signal told it the worker stopped.
    expect(running).toBe(0);
    expect(processed()).toBe(started);
    expect(sawAbort).toBeGreaterThan(0);
    expect((await run).outcome).toBe("succeeded");
    const atStop = await queueStats();
    expect(atStop).toMatchObject({ inFlight: 0, delayed: 0, dead: 0 });
    expect(atStop.pending).toBe(TOTAL - processed());
    expect(atStop.pending).toBeGreaterThan(0);

    // The other job still fires; nothing more of the stopped one is taken meanwhile.
    await waitUntil("two ticks after the stop", () => ticks.filter((t) => t > stoppedAt).length >= 2, 10_000);
    expect(started).toBe(processed());
    expect(await queueStats()).toEqual(atStop);
    await expect(a.run("stopq.slow")).rejects.toBeInstanceOf(JobStoppedError);
  });

  it("stop() stops every queue worker the same way, and a new runner's start finishes the rest, each item once", async () => {
    const before = processed();
    const b = await startRunner("b");
    await waitUntil("b to resume the queue", () => processed() > before);
    await b.stop();
    expect(running).toBe(0);
    expect(processed()).toBe(started);
    const atStop = await queueStats();
    expect(atStop).toMatchObject({ inFlight: 0, delayed: 0, dead: 0, pending: TOTAL - processed() });

    await startRunner("c");
    await waitUntil("every item to be handled", () => handled.size === TOTAL);
    await waitUntil("the queue to be empty", async () => (await queueStats()).inFlight === 0);
    expect([...handled.values()].filter((n) => n !== 1)).toEqual([]);
    expect(await queueStats()).toEqual({
      pending: 0,
      inFlight: 0,
      delayed: 0,
      dead: 0,
      oldestPendingAgeMs: null,
    });
  });
});
