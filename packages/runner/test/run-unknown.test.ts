import "reflect-metadata";
import { cron, JobRunner, job, UnknownJobError } from "@octo/runner";
import { startRedis, type TestRedis } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, expect, it } from "vitest";

@cron("known")
class KnownJobs {
  @job("known-a", "0 0 1 1 *")
  async a() {}
}
void KnownJobs;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

it("run(unknown name) returns a rejected promise with UnknownJobError listing known names", async () => {
  const runner = new JobRunner(new Container());
  await runner.start(redis.client());
  try {
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = runner.run("nope");
    }).not.toThrow();
    await expect(result).rejects.toBeInstanceOf(UnknownJobError);
    await expect(result).rejects.toThrow(/known-a/);
  } finally {
    await runner.stop();
  }
});
