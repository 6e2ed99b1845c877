import "reflect-metadata";
import {
  cron,
  InvalidRunnerArgumentError,
  type JobContext,
  JobRunner,
  job,
  RunnerNotStartedError,
  UnknownJobError,
} from "@octo/runner";
import { waitUntil } from "@octo/testing";
import { Container } from "inversify";
import { describe, expect, it } from "vitest";
import { useRunners } from "./support";

let calls = 0;
let release: () => void = () => {};
const ticks: number[] = [];

@cron("hist")
class HistoryJobs {
  // Never fires during the test: driven by run().
  @job("flaky", "0 0 1 1 *", { retries: 0 })
  async flaky() {
    calls++;
    if (calls % 2 === 0) throw new Error(`call ${calls} failed`);
  }

  @job("held", "0 0 1 1 *", { maxComputeTime: "1m" })
  async held() {
    await new Promise<void>((resolve) => {
      release = resolve;
    });
  }

  @job("every", "* * * * * *")
  async every(ctx: JobContext) {
    ticks.push(ctx.scheduledAt.getTime());
  }
}
void HistoryJobs;

const env = useRunners();

describe("run history", () => {
  it("keeps the last historyLimit outcomes newest first; status() counts every outcome", async () => {
    const runner = await env.start("h1", { historyLimit: 3, lockWaitMs: 100 });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await runner.run("hist.flaky"));
    expect(results.map((r) => r.outcome)).toEqual([
      "succeeded",
      "failed",
      "succeeded",
      "failed",
      "succeeded",
    ]);

    const history = await runner.history("hist.flaky");
    // Capped at 3, newest first.
    expect(history.map((e) => e.outcome)).toEqual(["succeeded", "failed", "succeeded"]);
    const [newest, failed] = history as [(typeof history)[0], (typeof history)[0]];
    expect(newest).toMatchObject({ job: "hist.flaky", instance: "h1", trigger: "run" });
    expect(newest.scheduledAt.getTime()).toBe(results[4]?.scheduledAt.getTime());
    expect(newest.startedAt).toBeInstanceOf(Date);
    expect(newest.endedAt?.getTime()).toBeGreaterThanOrEqual(newest.startedAt?.getTime() ?? Infinity);
    expect(newest.durationMs).toBe((newest.endedAt?.getTime() ?? 0) - (newest.startedAt?.getTime() ?? 0));
    expect(newest.error).toBeUndefined();
    expect(failed.error).toBe("call 4 failed");
    expect(await runner.history("hist.flaky", { limit: 2 })).toEqual(history.slice(0, 2));
    expect(await env.redis.client().llen("octo:history:{hist.flaky}")).toBe(3);

    // A run while another holds the job is recorded skipped; the job's last run stays the one before.
    const holding = runner.run("hist.held");
    await waitUntil(
      "the held run to take its job",
      async () => (await env.redis.client().exists("octo:lock:{job:hist.held}")) === 1,
      10_000,
    );
    expect((await runner.run("hist.held")).outcome).toBe("skipped");
    release();
    expect((await holding).outcome).toBe("succeeded");
    expect((await runner.history("hist.held")).map((e) => e.outcome)).toEqual(["succeeded", "skipped"]);

    const status = await runner.status();
    const flaky = status.find((s) => s.job === "hist.flaky");
    // Counts survive the cap: 5 runs, 3 kept.
    expect(flaky?.counts).toEqual({ succeeded: 3, failed: 2, skipped: 0, missed: 0, crashed: 0 });
    expect(flaky?.lastOutcome).toBe("succeeded");
    const held = status.find((s) => s.job === "hist.held");
    expect(held?.counts).toMatchObject({ succeeded: 1, skipped: 1 });
    expect(held?.lastOutcome).toBe("succeeded");
    expect(held?.lastRun?.outcome).toBe("succeeded");
    // No run in progress is left behind.
    expect(await env.redis.client().hlen("octo:running:{hist.flaky}")).toBe(0);
    expect(await env.redis.client().hlen("octo:running:{hist.held}")).toBe(0);
  });

  it("records each scheduled tick once, with trigger schedule and the claimer", async () => {
    const runner = await env.start("h2");
    await waitUntil("three ticks to run", () => ticks.length >= 3, 15_000);
    await waitUntil(
      "three ticks in the history",
      async () => (await runner.history("hist.every")).length >= 3,
      10_000,
    );
    const history = await runner.history("hist.every");
    const Ts = history.map((e) => e.scheduledAt.getTime());
    expect(new Set(Ts).size).toBe(Ts.length);
    expect([...Ts].sort((a, b) => b - a)).toEqual(Ts);
    for (const e of history) {
      expect(e).toMatchObject({ outcome: "succeeded", trigger: "schedule" });
      expect(["h1", "h2"]).toContain(e.instance);
      expect(ticks).toContain(e.scheduledAt.getTime());
    }
  });

  it("rejects bad arguments with typed errors before reading anything", async () => {
    expect(() => new JobRunner(new Container(), { historyLimit: 0 })).toThrow(InvalidRunnerArgumentError);
    expect(() => new JobRunner(new Container(), { historyLimit: 1.5 })).toThrow(
      "options.historyLimit must be a positive integer, got 1.5",
    );
    const idle = new JobRunner(new Container(), { instanceId: "idle" });
    await expect(idle.history("hist.flaky")).rejects.toBeInstanceOf(RunnerNotStartedError);
    const runner = await env.start("h3");
    await expect(runner.history(42 as unknown as string)).rejects.toBeInstanceOf(InvalidRunnerArgumentError);
    await expect(runner.history("hist.nope")).rejects.toBeInstanceOf(UnknownJobError);
    for (const limit of [0, -1, 2.5, "3", Number.NaN]) {
      await expect(runner.history("hist.flaky", { limit: limit as number })).rejects.toThrow(
        /options\.limit must be a positive integer/,
      );
    }
    await expect(runner.history("hist.flaky", null as unknown as object)).rejects.toBeInstanceOf(
      InvalidRunnerArgumentError,
    );
  });
});
