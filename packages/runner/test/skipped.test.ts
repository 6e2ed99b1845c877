import "reflect-metadata";
import { cron, type JobContext, JobRunner, job, type RunResult } from "@octo/runner";
import { recordingLogger, startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, expect, it } from "vitest";

const ranOn: string[] = [];
let release: () => void = () => {};
const released = new Promise<void>((resolve) => {
  release = resolve;
});

@cron("skip")
class SkipJobs {
  @job("long", "0 0 1 1 *", { maxComputeTime: "1m" })
  async long(ctx: JobContext) {
    ranOn.push(ctx.instanceId);
    await released;
  }
}
void SkipJobs;

let redis: TestRedis;
const runners: JobRunner[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  release();
  for (const runner of runners) await runner.stop();
  await redis?.stop();
});

it("a run while another instance's run holds the job is skipped: run() says so, the handler does not run, a warning is logged", async () => {
  const holderLogger = recordingLogger();
  const skipperLogger = recordingLogger();
  const holder = new JobRunner(new Container(), { instanceId: "holder" });
  const skipper = new JobRunner(new Container(), { instanceId: "skipper", lockWaitMs: 300 });
  runners.push(holder, skipper);
  await holder.start(redis.client(), holderLogger);
  await skipper.start(redis.client(), skipperLogger);

  const holding = holder.run("skip.long");
  await waitUntil("the holder's run to start", () => ranOn.length === 1, 10_000);
  let skipped: RunResult | undefined;
  const skipping = skipper.run("skip.long").then((result) => {
    skipped = result;
  });
  // Bounded: a second run that wrongly started would wait on `released` like the first.
  await waitUntil(
    "the skipper's run to end, or wrongly start",
    () => skipped !== undefined || ranOn.length > 1,
    10_000,
  );
  expect(ranOn).toEqual(["holder"]);
  await skipping;
  if (!skipped) throw new Error("the skipper's run did not resolve");

  expect(skipped).toMatchObject({ job: "skip.long", outcome: "skipped", instance: "skipper" });
  expect(skipped.error).toBeUndefined();
  expect(ranOn).toEqual(["holder"]);
  const warning = skipperLogger.lines.find(
    (l) => l.level === "warn" && (l.args[0] as { job?: string })?.job === "skip.long",
  );
  expect(warning?.args[0]).toMatchObject({
    job: "skip.long",
    scheduledAt: skipped.scheduledAt.toISOString(),
  });

  release();
  expect((await holding).outcome).toBe("succeeded");
  // Once the holder's run ended, the job is free again.
  const after = await skipper.run("skip.long");
  expect(after.outcome).toBe("succeeded");
  expect(ranOn).toEqual(["holder", "skipper"]);
});
