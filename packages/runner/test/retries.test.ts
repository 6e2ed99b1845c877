import "reflect-metadata";
import { cron, type JobContext, JobRunner, job } from "@octo/runner";
import { recordingLogger, startRedis, type TestRedis } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const TIMEOUT_MS = 500;
/**
 * Upper slack on each wait: a loaded machine delays timers, it never makes them early. Generous,
 * since the lower bounds are what prove the backoff; this only catches a wait far too long.
 */
const SLACK_MS = 1500;
/** Date.now() counts whole milliseconds and Node.js may run a timer up to 1 ms early by that count. */
const TIMER_GRAIN_MS = 1;

/** When each attempt of `retry.flaky` started, by attempt number. */
const flakyAttempts: Array<{ attempt: number; at: number }> = [];
const doomedAttempts: number[] = [];

@cron("retry")
class RetryJobs {
  @job("flaky", "0 0 1 1 *", { retries: 3, timeout: TIMEOUT_MS })
  async flaky(ctx: JobContext) {
    flakyAttempts.push({ attempt: ctx.attempt, at: Date.now() });
    if (ctx.attempt <= 3) throw new Error(`flaky attempt ${ctx.attempt}`);
  }

  @job("doomed", "0 0 1 1 *", { retries: 1, timeout: "100ms" })
  async doomed(ctx: JobContext) {
    doomedAttempts.push(ctx.attempt);
    // Not an Error: a thrown value may be anything.
    throw `doomed attempt ${ctx.attempt}`;
  }
}
void RetryJobs;

let redis: TestRedis;
let runner: JobRunner;
const logger = recordingLogger();
beforeAll(async () => {
  redis = await startRedis();
  runner = new JobRunner(new Container(), { instanceId: "retrier" });
  await runner.start(redis.client(), logger);
});
afterAll(async () => {
  await runner?.stop();
  await redis?.stop();
});

describe("a simple job's retries", () => {
  it("a failing attempt is retried: at least `timeout` before the first retry, doubling after", async () => {
    const result = await runner.run("retry.flaky");

    expect(result.outcome).toBe("succeeded");
    expect(flakyAttempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    const gaps = flakyAttempts.slice(1).map((a, i) => a.at - (flakyAttempts[i] as { at: number }).at);
    const waits = [TIMEOUT_MS, TIMEOUT_MS * 2, TIMEOUT_MS * 4];
    for (const [i, gap] of gaps.entries()) {
      const wait = waits[i] as number;
      expect(gap, `wait before attempt ${i + 2}`).toBeGreaterThanOrEqual(wait - TIMER_GRAIN_MS);
      expect(gap, `wait before attempt ${i + 2}`).toBeLessThan(wait + SLACK_MS);
    }
  });

  it("a job failing every attempt runs retries + 1 times, then run() and status() say failed with its error", async () => {
    const result = await runner.run("retry.doomed");

    expect(doomedAttempts).toEqual([1, 2]);
    expect(result).toMatchObject({ job: "retry.doomed", outcome: "failed", instance: "retrier" });
    expect(result.error).toBe("doomed attempt 2");
    const [status] = (await runner.status()).filter((s) => s.job === "retry.doomed");
    expect(status?.lastRun).toMatchObject({
      instance: "retrier",
      outcome: "failed",
      error: "doomed attempt 2",
      scheduledAt: result.scheduledAt,
    });
    // Every run is logged with its job, scheduled time, duration and outcome.
    const runLine = logger.lines.find((l) => (l.args[0] as { outcome?: string })?.outcome === "failed");
    expect(runLine?.args[0]).toMatchObject({
      job: "retry.doomed",
      scheduledAt: result.scheduledAt.toISOString(),
      durationMs: expect.any(Number),
      outcome: "failed",
    });
  });
});
