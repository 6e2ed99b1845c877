import "reflect-metadata";
import { cron, type JobContext, JobRunner, job, type LoggerLike } from "@octo/runner";
import { startRedis } from "@octo/testing";
import { Container } from "inversify";
import { expect, it } from "vitest";

const started: number[] = [];
let aborted = 0;

@cron("overlap")
class OverlapJobs {
  @job("slow", "* * * * * *", { maxComputeTime: "2s" })
  async slow(ctx: JobContext) {
    started.push(ctx.scheduledAt.getTime());
    ctx.signal.addEventListener("abort", () => aborted++);
    await new Promise((r) => setTimeout(r, 3000));
  }
}
void OverlapJobs;

it("a 3 s job on a 1 s schedule: overlapping fires are skipped and logged, and maxComputeTime aborts its signal", async () => {
  const redis = await startRedis();
  const warnings: string[] = [];
  const msg = (a: unknown, b?: unknown) => String(typeof a === "string" ? a : b);
  const logger: LoggerLike = {
    debug() {},
    info() {},
    warn: (a: unknown, b?: unknown) => warnings.push(msg(a, b)),
    error() {},
  } as LoggerLike;
  const runner = new JobRunner(new Container(), { lockWaitMs: 0 });
  await runner.start(redis.client(), logger);
  await new Promise((r) => setTimeout(r, 5500));
  await runner.stop();
  await redis.stop();
  expect(started.length).toBeGreaterThanOrEqual(1);
  expect(started.length).toBeLessThanOrEqual(3);
  expect(warnings.filter((w) => w.startsWith("skipped")).length).toBeGreaterThanOrEqual(2);
  expect(aborted).toBeGreaterThanOrEqual(1);
  expect(warnings.some((w) => w.includes("passed maxComputeTime"))).toBe(true);
});
