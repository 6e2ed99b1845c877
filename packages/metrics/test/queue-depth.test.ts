import { registerMetrics } from "@octo/metrics";
import { RedisQueue } from "@octo/redis-queue";
import { PrometheusScrape, recordingLogger, startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, expect, it } from "vitest";

let redis: TestRedis;

beforeAll(async () => {
  // Its own server: one test kills it.
  redis = await startRedis({ dedicated: true });
});

afterAll(async () => {
  await redis?.stop();
});

it("gauges a queue's pending, in-flight, delayed and dead counts and its oldest pending age as stats() reads them", async () => {
  const queue = new RedisQueue<number>("depth", redis.client());
  await queue.add([1, 2, 3]);
  await queue.add(4, { delay: "1h" });
  const registry = new Registry();
  registerMetrics({ registry, queues: [queue], redis: redis.client() });
  await new Promise((resolve) => setTimeout(resolve, 20));

  const [scrape, stats] = await Promise.all([PrometheusScrape.of(registry), queue.stats()]);
  const labels = { queue: "depth" };
  expect(stats).toMatchObject({ pending: 3, inFlight: 0, delayed: 1, dead: 0 });
  expect(scrape.family("octo_queue_pending_items")?.type).toBe("GAUGE");
  expect(scrape.value("octo_queue_pending_items", labels)).toBe(stats.pending);
  expect(scrape.value("octo_queue_in_flight_items", labels)).toBe(stats.inFlight);
  expect(scrape.value("octo_queue_delayed_items", labels)).toBe(stats.delayed);
  expect(scrape.value("octo_queue_dead_items", labels)).toBe(stats.dead);
  const age = scrape.value("octo_queue_oldest_pending_age_seconds", labels) ?? -1;
  // Both read Redis time within moments of each other, 20 ms or more after the add.
  expect(age).toBeGreaterThanOrEqual(0.02);
  expect(Math.abs(age - (stats.oldestPendingAgeMs ?? 0) / 1000)).toBeLessThan(1);
  expect(scrape.value("octo_queue_stats_up", labels)).toBe(1);
});

it("reads each queue once per scrape, whichever gauges ask", async () => {
  const queue = new RedisQueue("counted", redis.client());
  let reads = 0;
  const stats = queue.stats.bind(queue);
  queue.stats = () => {
    reads++;
    return stats();
  };
  const registry = new Registry();
  registerMetrics({ registry, queues: [queue], redis: redis.client() });
  await registry.metrics();
  expect(reads).toBe(1);
  await registry.metrics();
  expect(reads).toBe(2);
});

it("answers a scrape while Redis is down: counters as they are, the queue's depth left out and stats_up 0; back when Redis is", async () => {
  const queue = new RedisQueue("outage", redis.client());
  await queue.add([1, 2]);
  const registry = new Registry();
  const logger = recordingLogger();
  registerMetrics({ registry, queues: [queue], redis: redis.client(), statsTimeout: 300, logger });
  const labels = { queue: "outage" };
  expect((await PrometheusScrape.of(registry)).value("octo_queue_pending_items", labels)).toBe(2);

  await redis.kill();
  const started = Date.now();
  const down = await PrometheusScrape.of(registry);
  expect(Date.now() - started).toBeLessThan(5000);
  expect(down.value("octo_queue_items_processed_total", labels)).toBe(0);
  expect(down.value("octo_queue_stats_up", labels)).toBe(0);
  for (const gauge of ["pending_items", "in_flight_items", "delayed_items", "dead_items"]) {
    expect(down.value(`octo_queue_${gauge}`, labels), gauge).toBeUndefined();
  }
  await PrometheusScrape.of(registry);
  expect(logger.messages("warn")).toEqual([
    "queue depth could not be read from Redis: its gauges are left out of scrapes (and its stats_up is 0) until it can",
  ]);

  await redis.startAgain();
  // Scrapes go on while the client reconnects; one soon reads the queue again.
  let back = await PrometheusScrape.of(registry);
  await waitUntil("a scrape that reads the queue again", async () => {
    back = await PrometheusScrape.of(registry);
    return back.value("octo_queue_stats_up", labels) === 1;
  });
  // The server came back without the data (no persistence): the gauge says what Redis holds now.
  expect(back.value("octo_queue_pending_items", labels)).toBe((await queue.stats()).pending);
  expect(logger.messages("info")).toEqual(["queue depth is readable again"]);
});

it("unregister() removes every listener and metric it added; registering again works", async () => {
  const queue = new RedisQueue("gone", redis.client());
  let listening = 0;
  const on = queue.on.bind(queue);
  queue.on = ((event: Parameters<typeof on>[0], listener: Parameters<typeof on>[1]) => {
    listening++;
    const off = on(event, listener);
    return () => {
      listening--;
      off();
    };
  }) as typeof queue.on;
  const registry = new Registry();
  const handle = registerMetrics({ registry, queues: [queue], redis: redis.client(), prefix: "jobs_" });
  expect(handle.metricNames).toContain("jobs_queue_pending_items");
  expect(registry.getMetricsAsArray()).toHaveLength(handle.metricNames.length);
  expect(listening).toBe(4);

  handle.unregister();
  handle.unregister();
  expect(listening).toBe(0);
  expect(registry.getMetricsAsArray()).toHaveLength(0);
  expect((await registry.metrics()).trim()).toBe("");

  const again = registerMetrics({ registry, queues: [queue], redis: redis.client(), prefix: "jobs_" });
  await queue.add(1);
  await queue.work(async () => {}, { drainGraceMs: 0 });
  expect(
    (await PrometheusScrape.of(registry)).value("jobs_queue_items_processed_total", { queue: "gone" }),
  ).toBe(1);
  again.unregister();
});
