import "reflect-metadata";
import { cron, type JobContext, JobRunner, job, UnknownJobError } from "@octo/runner";
import { sleep, startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let redis: TestRedis;
const runs: number[] = [];
/** Set once the slow job's handler is running; the test releases it when it has seen stop() wait. */
let slowStarted = false;
let release: () => void = () => {};
const released = new Promise<void>((resolve) => {
  release = resolve;
});

@cron("manual")
class ManualJobs {
  @job("once", "0 0 1 1 *")
  async once(_ctx: JobContext) {
    await sleep(300);
    runs.push(Date.now());
  }

  @job("slow", "0 0 1 1 *")
  async slow() {
    slowStarted = true;
    await released;
  }
}
void ManualJobs;

let runner: JobRunner;
beforeAll(async () => {
  redis = await startRedis();
  runner = new JobRunner(new Container(), { instanceId: "t1" });
  await runner.start(redis.client());
});
afterAll(async () => {
  // A failed assertion must not leave the slow run (and so stop()) waiting for ever.
  release();
  await runner.stop();
  await redis.stop();
});

describe("run / stop", () => {
  it("run() runs the job once and resolves after it finished, recording the last run", async () => {
    const result = await runner.run("manual.once");
    expect(runs).toHaveLength(1);
    expect(result.outcome).toBe("succeeded");
    const [st] = (await runner.status()).filter((s) => s.job === "manual.once");
    expect(st?.lastRun).toMatchObject({ instance: "t1", outcome: "succeeded" });
  });

  it("run() and stop() with an unknown name list the known jobs", async () => {
    await expect(runner.run("nope")).rejects.toThrow(UnknownJobError);
    await expect(runner.run("nope")).rejects.toThrow(/"manual\.once", "manual\.slow"/);
    await expect(runner.stop("nope")).rejects.toThrow(UnknownJobError);
  });

  it("stop() waits for runs in progress", async () => {
    const p = runner.run("manual.slow");
    await waitUntil("the slow run's handler to start", () => slowStarted, 10_000);
    let stopped = false;
    const s = runner.stop("manual.slow").then(() => {
      stopped = true;
    });
    // stop() must still be waiting while the run goes on; 300 ms is ample for it to resolve if it did not wait.
    await sleep(300);
    expect(stopped).toBe(false);
    release();
    await s;
    expect(stopped).toBe(true);
    expect((await p).outcome).toBe("succeeded");
  });
});
