import "reflect-metadata";
import { registerMetrics } from "@octo/metrics";
import { JobRunner, RedisQueue } from "@octo/runner";
import { PrometheusScrape, startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { Container } from "inversify";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsJobs } from "./fixtures/metrics-jobs";

// Importing the class registers its jobs; naming it keeps the import.
void MetricsJobs;

let redis: TestRedis;
let runner: JobRunner;
const registry = new Registry();

beforeAll(async () => {
  redis = await startRedis();
  runner = new JobRunner(new Container(), { instanceId: "metrics-test" });
  registerMetrics({ registry, runner, redis: redis.client() });
  await runner.start(redis.client());
});

afterAll(async () => {
  await runner?.stop();
  await redis?.stop();
});

describe("after real runs of a runner", () => {
  let scrape: PrometheusScrape;

  beforeAll(async () => {
    expect((await runner.run("metrics.succeeds")).outcome).toBe("succeeded");
    expect((await runner.run("metrics.succeeds")).outcome).toBe("succeeded");
    expect((await runner.run("metrics.fails")).outcome).toBe("failed");
    expect((await runner.run("metrics.items")).outcome).toBe("succeeded");
    // A scheduled fire, for the lag; then the every-second job stops so it adds nothing more.
    await waitUntil("a scheduled run of metrics.ticking", async () => {
      const lag = (await PrometheusScrape.of(registry)).histogram("octo_job_fire_lag_seconds", {
        job: "metrics.ticking",
      });
      return (lag?.count ?? 0) > 0;
    });
    await runner.stop("metrics.ticking");
    scrape = await PrometheusScrape.of(registry);
  });

  it("counts runs by job and outcome", () => {
    const runs = (job: string, outcome: string) => scrape.value("octo_job_runs_total", { job, outcome });
    expect(scrape.family("octo_job_runs_total")?.type).toBe("COUNTER");
    expect(runs("metrics.succeeds", "succeeded")).toBe(2);
    expect(runs("metrics.succeeds", "failed")).toBe(0);
    expect(runs("metrics.fails", "failed")).toBe(1);
    expect(runs("metrics.fails", "succeeded")).toBe(0);
    expect(runs("metrics.items", "succeeded")).toBe(1);
    expect(runs("metrics.succeeds", "skipped")).toBe(0);
    expect(runs("metrics.succeeds", "crashed")).toBe(0);
  });

  it("times each run in the duration histogram, by outcome", () => {
    const duration = (job: string, outcome: string) =>
      scrape.histogram("octo_job_run_duration_seconds", { job, outcome });
    expect(scrape.family("octo_job_run_duration_seconds")?.type).toBe("HISTOGRAM");
    expect(duration("metrics.succeeds", "succeeded")?.count).toBe(2);
    expect(duration("metrics.fails", "failed")?.count).toBe(1);
    expect(duration("metrics.items", "succeeded")?.count).toBe(1);
  });

  it("measures fire lag of scheduled runs only, never of run()", () => {
    const lag = scrape.histogram("octo_job_fire_lag_seconds", { job: "metrics.ticking" });
    expect(lag?.count).toBeGreaterThan(0);
    // A fire starts within a second or so of its T on an idle runner, never before it.
    expect((lag?.sum ?? -1) / (lag?.count ?? 1)).toBeGreaterThanOrEqual(0);
    expect((lag?.sum ?? 99) / (lag?.count ?? 1)).toBeLessThan(5);
    expect(scrape.histogram("octo_job_fire_lag_seconds", { job: "metrics.succeeds" })).toBeUndefined();
  });

  it("counts the query job's items: processed, failed attempts, dead-lettered by reason", () => {
    const queue = "metrics.items";
    expect(scrape.value("octo_queue_items_processed_total", { queue })).toBe(2);
    expect(scrape.value("octo_queue_items_failed_total", { queue })).toBe(1);
    expect(scrape.value("octo_queue_items_dead_lettered_total", { queue, reason: "failed" })).toBe(1);
    expect(scrape.value("octo_queue_items_stalled_total", { queue })).toBe(0);
  });

  it("gauges the query job's queue from Redis: its dead letter, nothing pending", async () => {
    const queue = "metrics.items";
    const stats = await new RedisQueue(queue, redis.client()).stats();
    expect(stats.dead).toBe(1);
    expect(scrape.value("octo_queue_dead_items", { queue })).toBe(stats.dead);
    expect(scrape.value("octo_queue_pending_items", { queue })).toBe(stats.pending);
    expect(scrape.value("octo_queue_in_flight_items", { queue })).toBe(stats.inFlight);
    expect(scrape.value("octo_queue_delayed_items", { queue })).toBe(stats.delayed);
    expect(scrape.value("octo_queue_oldest_pending_age_seconds", { queue })).toBe(0);
    expect(scrape.value("octo_queue_stats_up", { queue })).toBe(1);
    // Only query jobs have queues.
    expect(scrape.value("octo_queue_stats_up", { queue: "metrics.succeeds" })).toBeUndefined();
  });

  it("starts every job's series at zero, so a job that never ran is visible", () => {
    expect(scrape.value("octo_job_runs_total", { job: "metrics.ticking", outcome: "failed" })).toBe(0);
    expect(scrape.value("octo_job_missed_ticks_total", { job: "metrics.succeeds" })).toBe(0);
  });
});
