import { type MetricsOptions, registerMetrics } from "@octo/metrics";
import { RedisQueue } from "@octo/redis-queue";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";

// Bad options are refused before anything reaches Redis: this client never connects.
const redis = new Redis({ lazyConnect: true });
const queue = new RedisQueue("checked", redis);

afterAll(() => {
  redis.disconnect();
});

function attempt(options: unknown): unknown {
  try {
    registerMetrics(options as MetricsOptions);
  } catch (error) {
    return error;
  }
  throw new Error("registerMetrics accepted the options");
}

describe("registerMetrics refuses unusable options with InvalidArgumentError, naming the value and what to pass", () => {
  const valid = () => ({ registry: new Registry(), queues: [queue], redis });
  const cases: [string, unknown, string, RegExp][] = [
    ["no options", undefined, "options", /options undefined is not usable: pass \{ redis, runner \}/],
    ["options not an object", "octo", "options", /options "octo" is not usable/],
    ["no redis", { ...valid(), redis: undefined }, "options.redis", /not an ioredis client/],
    [
      "redis not a client",
      { ...valid(), redis: "redis://localhost" },
      "options.redis",
      /"redis:\/\/localhost" is not an ioredis client/,
    ],
    [
      "neither runner nor queues",
      { registry: new Registry(), redis },
      "options",
      /nothing to measure: pass runner/,
    ],
    ["empty queues and no runner", { ...valid(), queues: [] }, "options", /nothing to measure/],
    [
      "runner not a JobRunner",
      { ...valid(), runner: {} },
      "options.runner",
      /an object is not a JobRunner with events/,
    ],
    [
      "runner without events",
      { ...valid(), runner: { prefix: "octo", jobNames: [], queueNames: [] } },
      "options.runner",
      /a version that has runner\.on/,
    ],
    [
      "queues not an array",
      { ...valid(), queues: queue },
      "options.queues",
      /a RedisQueue is not usable: pass an array/,
    ],
    [
      "a queue that is not a RedisQueue",
      { ...valid(), queues: [queue, "orders"] },
      "options.queues[1]",
      /"orders" is not a RedisQueue/,
    ],
    [
      "one queue twice",
      { ...valid(), queues: [queue, queue] },
      "options.queues[1]",
      /second queue named "checked"/,
    ],
    [
      "registry not a registry",
      { ...valid(), registry: {} },
      "options.registry",
      /not a prom-client registry/,
    ],
    [
      "prefix not a metric name",
      { ...valid(), prefix: "octo-" },
      "options.prefix",
      /"octo-" cannot start a Prometheus metric name/,
    ],
    [
      "prefix starting with a digit",
      { ...valid(), prefix: "1octo_" },
      "options.prefix",
      /cannot start a Prometheus metric name/,
    ],
    ["prefix not a string", { ...valid(), prefix: 1 }, "options.prefix", /1 cannot start/],
    [
      "empty buckets",
      { ...valid(), durationBuckets: [] },
      "options.durationBuckets",
      /an array of 0 is not usable: pass a non-empty array of increasing/,
    ],
    [
      "buckets out of order",
      { ...valid(), durationBuckets: [1, 0.5] },
      "options.durationBuckets",
      /increasing positive numbers of seconds/,
    ],
    ["a negative bucket", { ...valid(), lagBuckets: [-1, 1] }, "options.lagBuckets", /increasing positive/],
    [
      "an infinite bucket",
      { ...valid(), lagBuckets: [1, Number.POSITIVE_INFINITY] },
      "options.lagBuckets",
      /increasing positive/,
    ],
    ["buckets not an array", { ...valid(), lagBuckets: 5 }, "options.lagBuckets", /5 is not usable/],
    [
      "statsTimeout unreadable",
      { ...valid(), statsTimeout: "soon" },
      "options.statsTimeout",
      /"soon" is not a usable duration/,
    ],
    [
      "statsTimeout zero",
      { ...valid(), statsTimeout: 0 },
      "options.statsTimeout",
      /0 is not a usable duration/,
    ],
    [
      "statsTimeout beyond a timer",
      { ...valid(), statsTimeout: "30d" },
      "options.statsTimeout",
      /too long.*Node\.js timer/,
    ],
    [
      "logger without methods",
      { ...valid(), logger: console.log },
      "options.logger",
      /pass a logger with debug, info, warn and error/,
    ],
  ];

  it.each(cases)("%s", (_, options, argument, message) => {
    const error = attempt(options) as { code?: string; name?: string; argument?: string; message?: string };
    expect(error).toMatchObject({
      code: "ERR_OCTO_INVALID_ARGUMENT",
      name: "InvalidArgumentError",
      argument,
    });
    expect(error.message).toMatch(message);
  });

  it("a registry that already has these metrics: says how to unregister, and adds nothing", () => {
    const registry = new Registry();
    const first = registerMetrics({ registry, queues: [queue], redis });
    const error = attempt({ registry, queues: [queue], redis }) as { code?: string; message?: string };
    expect(error.code).toBe("ERR_OCTO_INVALID_ARGUMENT");
    expect(error.message).toMatch(/already has octo_job_runs_total, .*call unregister\(\)/);
    expect(registry.getMetricsAsArray()).toHaveLength(first.metricNames.length);
    first.unregister();
  });

  it("nothing is registered when an option is refused", () => {
    const registry = new Registry();
    attempt({ registry, queues: [queue], redis, lagBuckets: [] });
    expect(registry.getMetricsAsArray()).toHaveLength(0);
  });
});
