import "reflect-metadata";
import { cron, type JobContext, JobRunner, job, query } from "@octo/runner";
import { recordingLogger, startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, expect, it } from "vitest";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const handled = new Map<string, number[]>();
function record(job: string, item: number) {
  const list = handled.get(job) ?? [];
  list.push(item);
  handled.set(job, list);
}
let generatorCalls = 0;

@cron("pipe")
class PipelineJobs {
  @query("slow-start")
  async slowStart() {
    // Longer than the queue's fill marker lives unrenewed (10 s) before the first item exists.
    await sleep(12_000);
    return [1, 2, 3];
  }

  @job("slow-start", "0 0 1 1 *")
  async handleSlowStart(item: number) {
    record("slow-start", item);
  }

  @query("flaky-generator")
  async *flakyGenerator() {
    generatorCalls++;
    if (generatorCalls === 1) throw new Error("database connection reset");
    yield [1, 2];
    yield [3];
  }

  @job("flaky-generator", "0 0 1 1 *", { retries: 2, timeout: 10 })
  async handleFlaky(item: number) {
    record("flaky-generator", item);
  }

  @query("set")
  async set() {
    return new Set([1, 2, 3]);
  }

  @job("set", "0 0 1 1 *")
  async handleSet(item: number, _ctx: JobContext) {
    record("set", item);
  }

  @query("every-second-empty")
  async nothing() {
    return [] as number[];
  }

  @job("every-second-empty", "* * * * * *")
  async handleNothing(item: number) {
    record("every-second-empty", item);
  }
}
void PipelineJobs;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

async function withRunner<R>(
  fn: (runner: JobRunner, logger: ReturnType<typeof recordingLogger>) => Promise<R>,
  lockWaitMs?: number,
) {
  const logger = recordingLogger();
  const runner = new JobRunner(new Container(), lockWaitMs === undefined ? {} : { lockWaitMs });
  await runner.start(redis.client(), logger);
  try {
    return await fn(runner, logger);
  } finally {
    await runner.stop();
  }
}

it("a query that takes longer than the queue's fill marker before its first batch still fills and every item is handled", async () => {
  await withRunner(async (runner) => {
    const result = await runner.run("pipe.slow-start");
    expect(result.outcome).toBe("succeeded");
    expect([...(handled.get("slow-start") ?? [])].sort()).toEqual([1, 2, 3]);
  });
}, 60_000);

it("an async-generator query that fails before its first batch is retried like an array query", async () => {
  await withRunner(async (runner) => {
    const result = await runner.run("pipe.flaky-generator");
    expect(result.outcome).toBe("succeeded");
    expect(generatorCalls).toBe(2);
    expect([...(handled.get("flaky-generator") ?? [])].sort()).toEqual([1, 2, 3]);
  });
});

it("a query returning a sync iterable (a Set) has its items handled", async () => {
  await withRunner(async (runner) => {
    expect((await runner.run("pipe.set")).outcome).toBe("succeeded");
    expect([...(handled.get("set") ?? [])].sort()).toEqual([1, 2, 3]);
  });
});

it("an every-second query job whose query returns nothing runs on every tick, none skipped", async () => {
  await withRunner(async (_runner, logger) => {
    const outcomes = () =>
      logger.lines
        .filter((l) => l.message === "job run finished" || l.message.startsWith("skipped"))
        .map((l) => l.args[0] as { job?: string; outcome?: string })
        .filter((f) => f.job === "pipe.every-second-empty")
        .map((f) => f.outcome ?? "skipped");
    await waitUntil("five runs of the every-second job", () => outcomes().length >= 5, 15_000);
    expect(outcomes().slice(0, 5)).toEqual(Array(5).fill("succeeded"));
    // No wait for the job: a run with nothing to do must be over long before the next second.
  }, 0);
});
