import "reflect-metadata";
import { cron, type JobContext, JobRunner, job } from "@octo/runner";
import { startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, expect, it } from "vitest";

// Asia/Kolkata is UTC+05:30 with no DST: the local wall clock is UTC + 5.5 h.
const OFFSET_MS = 5.5 * 3600_000;
/** Time from declaring the job to its fire: enough for `runner.start()` on a loaded machine. */
const LEAD_MS = 5000;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

it("a job with timezone fires at the local time it names", async () => {
  // The one-off fire time is chosen here, once the file's Redis is up, and the job is declared
  // with it: a slow import or Redis start-up cannot push it into the past.
  const target = Math.ceil(Date.now() / 1000) * 1000 + LEAD_MS;
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

  const runner = new JobRunner(new Container());
  try {
    await runner.start(redis.client());
    // A start that ends after the fire time would make this test fail for the wrong reason.
    expect(Date.now(), "runner.start() ended after the fire time; raise LEAD_MS").toBeLessThan(target);
    await waitUntil("the one-off fire", () => runs.length > 0, target - Date.now() + 30_000);
  } finally {
    // Waits for the run in progress, so its last run is recorded before status() reads it.
    await runner.stop();
  }
  expect(runs).toEqual([target]);
  const [status] = await runner.status();
  expect(status).toMatchObject({
    job: "tz.kolkata",
    timezone: "Asia/Kolkata",
    lastRun: { outcome: "succeeded" },
  });
  expect(status?.lastRun?.scheduledAt.getTime()).toBe(target);
});
