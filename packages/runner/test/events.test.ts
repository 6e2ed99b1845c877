import "reflect-metadata";
import { cron, type JobContext, JobRunner, type JobRunnerEvents, job, query } from "@octo/runner";
import { recordingLogger, startRedis, type TestRedis } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let release: () => void = () => {};

@cron("ev")
class EventJobs {
  @job("ok", "0 0 1 1 *")
  async ok() {}

  @job("flaky", "0 0 1 1 *", { retries: 1, timeout: 20 })
  async flaky(ctx: JobContext) {
    if (ctx.attempt === 1) throw "first try fails";
  }

  @job("doomed", "0 0 1 1 *", { retries: 0 })
  async doomed() {
    throw new Error("always fails");
  }

  @job("held", "0 0 1 1 *")
  async held() {
    await new Promise<void>((resolve) => {
      release = resolve;
    });
  }

  @query("items")
  async items() {
    return [1, 2];
  }

  @job("items", "0 0 1 1 *", { retries: 0 })
  async handleItem(item: number) {
    if (item === 2) throw new Error("item 2 fails");
  }
}
void EventJobs;

let redis: TestRedis;
let runner: JobRunner;
const logger = recordingLogger();
const seen: Array<[string, unknown]> = [];
beforeAll(async () => {
  redis = await startRedis();
  runner = new JobRunner(new Container(), { instanceId: "evi", lockWaitMs: 100 });
  const names: (keyof JobRunnerEvents)[] = [
    "run:started",
    "run:finished",
    "run:retrying",
    "tick:skipped",
    "item:processed",
    "item:failed",
    "item:dead-lettered",
  ];
  for (const name of names) runner.on(name, (e) => seen.push([name, e]));
  await runner.start(redis.client(), logger);
});
afterAll(async () => {
  await runner?.stop();
  await redis?.stop();
});

const of = (job: string) =>
  seen.filter(
    ([, e]) => (e as { job?: string; queue?: string }).job === job || (e as { queue?: string }).queue === job,
  );

describe("runner events", () => {
  it("run:started then run:finished succeeded, with the run's times and one attempt", async () => {
    const result = await runner.run("ev.ok");
    const base = { job: "ev.ok", scheduledAt: result.scheduledAt, trigger: "run", instance: "evi" };
    expect(of("ev.ok")).toEqual([
      ["run:started", { ...base, startedAt: expect.any(Date) }],
      [
        "run:finished",
        {
          ...base,
          startedAt: expect.any(Date),
          endedAt: expect.any(Date),
          durationMs: expect.any(Number),
          outcome: "succeeded",
          attempts: 1,
        },
      ],
    ]);
  });

  it("run:retrying with the delay, then run:finished with the attempts that ran", async () => {
    await runner.run("ev.flaky");
    const events = of("ev.flaky");
    expect(events.map(([name]) => name)).toEqual(["run:started", "run:retrying", "run:finished"]);
    expect(events[1]?.[1]).toMatchObject({ attempt: 1, error: "first try fails", delayMs: 20 });
    expect(events[2]?.[1]).toMatchObject({ outcome: "succeeded", attempts: 2 });
  });

  it("run:finished failed carries the error", async () => {
    await runner.run("ev.doomed");
    expect(of("ev.doomed").at(-1)?.[1]).toMatchObject({
      outcome: "failed",
      attempts: 1,
      error: "always fails",
    });
  });

  it("tick:skipped with reason overlap when the previous run holds the job", async () => {
    const first = runner.run("ev.held");
    const second = await runner.run("ev.held");
    release();
    await first;
    expect(second.outcome).toBe("skipped");
    expect(of("ev.held").map(([name, e]) => [name, (e as { reason?: string }).reason])).toEqual([
      ["run:started", undefined],
      ["tick:skipped", "overlap"],
      ["run:finished", undefined],
    ]);
  });

  it("forwards the item events of a query job's queue, the queue being the job", async () => {
    await runner.run("ev.items");
    const events = of("ev.items").filter(([name]) => name.startsWith("item:"));
    expect(events.map(([name]) => name).sort()).toEqual(["item:dead-lettered", "item:processed"]);
    expect(events.find(([name]) => name === "item:dead-lettered")?.[1]).toMatchObject({
      queue: "ev.items",
      attempts: 1,
      error: "item 2 fails",
      reason: "failed",
    });
  });

  it("a throwing and a rejecting listener change nothing and are logged; unsubscribed ones are not called", async () => {
    const calls: string[] = [];
    const offThrowing = runner.on("run:finished", () => {
      throw new Error("listener broke");
    });
    const offRejecting = runner.on("run:started", async () => {
      throw "rejected";
    });
    const offCounting = runner.on("run:finished", (e) => calls.push(e.outcome));
    const result = await runner.run("ev.ok");
    await new Promise((resolve) => setImmediate(resolve));
    expect(result.outcome).toBe("succeeded");
    expect(calls).toEqual(["succeeded"]);
    const failures = logger.lines.filter((l) => l.level === "error").map((l) => l.args[0]);
    expect(failures).toEqual(
      expect.arrayContaining([
        { event: "run:finished", err: "listener broke" },
        { event: "run:started", err: "rejected" },
      ]),
    );
    offThrowing();
    offRejecting();
    offCounting();
    await runner.run("ev.ok");
    expect(calls).toEqual(["succeeded"]);
  });

  it("refuses an unknown event name", () => {
    expect(() => runner.on("run:done" as "run:finished", () => {})).toThrow(/"run:done" is not an event/);
  });
});
