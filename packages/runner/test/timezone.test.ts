import "reflect-metadata";
import { cron, type JobContext, JobRunner, job } from "@octo/runner";
import { startRedis, type TestRedis } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, expect, it } from "vitest";

// Asia/Kolkata is UTC+05:30 with no DST: the local wall clock is UTC + 5.5 h.
const OFFSET_MS = 5.5 * 3600_000;
const target = Math.ceil(Date.now() / 1000) * 1000 + 4000;
const local = new Date(target + OFFSET_MS);
const schedule = `${local.getUTCSeconds()} ${local.getUTCMinutes()} ${local.getUTCHours()} ${local.getUTCDate()} ${local.getUTCMonth() + 1} *`;
const runs: number[] = [];

@cron("tz")
class TzJobs {
  @job("kolkata", schedule, { timezone: "Asia/Kolkata" })
  async fire(ctx: JobContext) {
    runs.push(ctx.scheduledAt.getTime());
  }
}
void TzJobs;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

it("a job with timezone fires at the local time it names", async () => {
  const runner = new JobRunner(new Container());
  await runner.start(redis.client());
  await new Promise((r) => setTimeout(r, Math.max(0, target - Date.now()) + 2000));
  await runner.stop();
  expect(runs).toEqual([target]);
});
