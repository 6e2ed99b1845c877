import "reflect-metadata";
import { cron, type JobContext, JobRunner, job } from "@octo/runner";
import { startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, expect, it } from "vitest";

const attempts: number[] = [];
let abortedWith: unknown;
let handlerEndedAt = 0;

@cron("halt")
class HaltJobs {
  // Retries and a long maxComputeTime: only stop() can end this run early.
  @job("waits", "0 0 1 1 *", { retries: 3, timeout: "1s", maxComputeTime: "10m" })
  async waits(ctx: JobContext) {
    attempts.push(ctx.attempt);
    await new Promise<void>((resolve) =>
      ctx.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    abortedWith = ctx.signal.reason;
    handlerEndedAt = Date.now();
    throw new Error("stopped while waiting");
  }
}
void HaltJobs;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

it("stop() aborts a running simple job's signal, is not retried after it, and resolves once the run ended", async () => {
  const runner = new JobRunner(new Container(), { instanceId: "halting" });
  await runner.start(redis.client());
  const run = runner.run("halt.waits");
  await waitUntil("the run to start", () => attempts.length === 1, 10_000);

  const stopping = runner.stop();
  // Bounded: without the abort the handler would wait for ever, and so would stop().
  await waitUntil("the run's signal to be aborted", () => abortedWith !== undefined, 10_000);
  await stopping;
  const stoppedAt = Date.now();

  expect(abortedWith).toBeInstanceOf(Error);
  expect((abortedWith as Error).message).toMatch(/stopped/);
  // stop() waited for the run: the handler had ended before stop() resolved.
  expect(handlerEndedAt).toBeGreaterThan(0);
  expect(handlerEndedAt).toBeLessThanOrEqual(stoppedAt);
  const result = await run;
  expect(result).toMatchObject({ outcome: "failed", error: "stopped while waiting" });
  // An attempt that failed because the runner stopped is not retried.
  expect(attempts).toEqual([1]);
});
