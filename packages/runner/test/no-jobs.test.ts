import "reflect-metadata";
import { clearCronRegistry, JobRunner, job } from "@octo/runner";
import { recordingLogger, startRedis } from "@octo/testing";
import { Container } from "inversify";
import { expect, it } from "vitest";

it("start() with no @cron job warns that nothing is scheduled, and names a class with @job methods but no @cron", async () => {
  clearCronRegistry();
  class ForgotCron {
    @job("nightly", "0 0 * * *") async nightly() {}
  }
  void ForgotCron;
  const redis = await startRedis();
  const logger = recordingLogger();
  const runner = new JobRunner(new Container());
  try {
    await runner.start(redis.client(), logger);
  } finally {
    await runner.stop();
    await redis.stop();
  }
  expect(logger.messages("warn")).toContainEqual(
    expect.stringMatching(/no @cron jobs.*experimentalDecorators/),
  );
  expect(logger.messages("warn")).toContainEqual(
    expect.stringMatching(/ForgotCron has @job or @query methods but no @cron: its jobs are not scheduled/),
  );
});
