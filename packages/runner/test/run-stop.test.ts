import "reflect-metadata";
import { cron, type JobContext, JobRunner, job, UnknownJobError } from "@octo/runner";
import { startRedis, type TestRedis } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let redis: TestRedis;
const runs: number[] = [];
let release: () => void = () => {};

@cron("manual")
class ManualJobs {
  @job("once", "0 0 1 1 *")
  async once(_ctx: JobContext) {
    await new Promise((r) => setTimeout(r, 300));
    runs.push(Date.now());
  }

  @job("slow", "0 0 1 1 *")
  async slow() {
    await new Promise<void>((r) => {
      release = r;
    });
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
    await new Promise((r) => setTimeout(r, 200));
    let stopped = false;
    const s = runner.stop("manual.slow").then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(stopped).toBe(false);
    release();
    await s;
    expect(stopped).toBe(true);
    expect((await p).outcome).toBe("succeeded");
  });
});
