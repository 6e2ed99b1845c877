import "reflect-metadata";
import { cron, type JobContext, JobRunner, job } from "@octo/runner";
import { startRedis, type TestRedis } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, expect, it } from "vitest";

const ticks: number[] = [];
@cron("every")
class EveryJobs {
  // default maxComputeTime ("1h"): the lock is held only while a run lasts, so no tick is skipped
  @job("every-second-default", "* * * * * *")
  async tick(ctx: JobContext) {
    ticks.push(ctx.scheduledAt.getTime());
  }
}
void EveryJobs;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

it("an every-second job with the default maxComputeTime runs on every tick", async () => {
  const runner = new JobRunner(new Container());
  await runner.start(redis.client());
  const from = Math.ceil(Date.now() / 1000) * 1000 + 1000;
  await new Promise((r) => setTimeout(r, 5500));
  const to = Math.floor(Date.now() / 1000) * 1000 - 1000;
  await runner.stop();
  const expected: number[] = [];
  for (let t = from; t <= to; t += 1000) expected.push(t);
  expect(expected.length).toBeGreaterThanOrEqual(3);
  expect(expected.filter((t) => !ticks.includes(t))).toEqual([]);
  expect(ticks.length - new Set(ticks).size).toBe(0);
});
