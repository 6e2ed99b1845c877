import "reflect-metadata";
import { Writable } from "node:stream";
import { Logger, type LoggerLike } from "@octo/logger";
import { cron, JobRunner, job } from "@octo/runner";
import { startRedis, type TestRedis } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, expect, it } from "vitest";

@cron("logged")
class LoggedJobs {
  @job("once", "0 0 1 1 *")
  async once() {}
}
void LoggedJobs;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

/** Runs logged.once through a runner logging to `logger` and returns the run's scheduled time. */
async function runOnce(logger: LoggerLike, instanceId: string): Promise<string> {
  const runner = new JobRunner(new Container(), { instanceId });
  await runner.start(redis.client(), logger);
  try {
    const result = await runner.run("logged.once");
    expect(result.outcome).toBe("succeeded");
    return result.scheduledAt.toISOString();
  } finally {
    await runner.stop();
  }
}

it("every run is logged once with job, scheduled time, instance, duration and outcome", async () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const scheduledAt = await runOnce(new Logger({ name: "jobs", destination, pretty: false }), "i-json");
  const finished = lines.filter((line) => line.includes('"job run finished"'));
  expect(finished).toHaveLength(1);
  const line = finished[0] as string;
  // Each field once: a JSON line with a key twice is ambiguous to log pipelines.
  expect(line.match(/"instance":/g)).toHaveLength(1);
  expect(JSON.parse(line)).toMatchObject({
    job: "logged.once",
    scheduledAt,
    instance: "i-json",
    outcome: "succeeded",
    durationMs: expect.any(Number),
  });
});

it("a logger without child() still gets the instance on the run's line", async () => {
  const calls: Record<string, unknown>[] = [];
  const record = (fields: unknown) => {
    if (fields && typeof fields === "object") calls.push(fields as Record<string, unknown>);
  };
  const plain: LoggerLike = { debug: record, info: record, warn: record, error: record };
  const scheduledAt = await runOnce(plain, "i-plain");
  expect(calls.filter((c) => c.outcome === "succeeded")).toEqual([
    {
      job: "logged.once",
      scheduledAt,
      instance: "i-plain",
      outcome: "succeeded",
      durationMs: expect.any(Number),
    },
  ]);
});
