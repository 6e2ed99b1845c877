import "reflect-metadata";
import { clearCronRegistry, JobRunner } from "@octo/runner";
import { recordingLogger, startRedis } from "@octo/testing";
import { Container } from "inversify";
import { expect, it } from "vitest";

it("start() with no @cron job warns that nothing is scheduled and says what to check", async () => {
  clearCronRegistry();
  const redis = await startRedis();
  const logger = recordingLogger();
  const runner = new JobRunner(new Container());
  try {
    await runner.start(redis.client(), logger);
  } finally {
    await runner.stop();
    await redis.stop();
  }
  expect(logger.messages("warn")).toContainEqual(expect.stringMatching(/no @cron jobs.*experimentalDecorators/));
});
