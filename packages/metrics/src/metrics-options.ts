import {
  assertRedisClient,
  type Duration,
  InvalidArgumentError,
  type LoggerLike,
  parseDuration,
  show,
  silentLogger,
} from "@octo/internal";
import type { QueueStats } from "@octo/redis-queue";
import type { Cluster, Redis } from "ioredis";
import type { Registry } from "prom-client";

/**
 * Anything with the typed `on(event, listener)` of the events contract, which returns the
 * function that unsubscribes. Typed loosely on purpose so that `JobRunner` and `RedisQueue` of
 * any compatible version fit; the events and fields read are listed in the README.
 */
export interface EventSource {
  on(event: never, listener: never): unknown;
}

/** What `registerMetrics` uses of a `JobRunner` from `@octo/runner`. */
export interface MeasuredRunner extends EventSource {
  /** The runner's Redis key prefix: its query jobs' queues live under it. */
  readonly prefix: string;
  /** Full names of every job, so each has its series from the first scrape. */
  readonly jobNames: readonly string[];
  /** Full names of the query jobs: each fills and works the queue of that name. */
  readonly queueNames: readonly string[];
}

/** What `registerMetrics` uses of a `RedisQueue` from `@octo/redis-queue`. */
export interface MeasuredQueue extends EventSource {
  readonly name: string;
  stats(): Promise<QueueStats>;
}

/** Options of {@link registerMetrics}. */
export interface MetricsOptions {
  /**
   * The ioredis `Redis` or `Cluster` the runner's queues live on; their depth is read with it at
   * scrape time. Never closed by the metrics.
   */
  redis: Redis | Cluster;
  /** The prom-client registry to add the metrics to. Default: prom-client's global `register`. */
  registry?: Registry;
  /**
   * A `JobRunner`: counts its runs, ticks and the items of its query jobs, and gauges the queue
   * of each query job. Pass `runner`, `queues` or both.
   */
  runner?: MeasuredRunner;
  /**
   * `RedisQueue` instances to gauge and count items of (what their own workers do); their names
   * must differ from each other. One named like a runner's query job replaces that job's queue
   * for the gauges (the runner's items are still counted from the runner).
   */
  queues?: readonly MeasuredQueue[];
  /** Start of every metric name. Default `"octo_"`. */
  prefix?: string;
  /** Upper bounds, in seconds, of the run duration histogram's buckets. Default {@link DEFAULT_DURATION_BUCKETS}. */
  durationBuckets?: readonly number[];
  /** Upper bounds, in seconds, of the fire lag histogram's buckets. Default {@link DEFAULT_LAG_BUCKETS}. */
  lagBuckets?: readonly number[];
  /**
   * How long a scrape waits for a queue's counts (ms or an `ms` string) before it answers without
   * that queue's depth gauges. Default `"2s"`.
   */
  statsTimeout?: Duration;
  /** Where a queue whose depth cannot be read (and its recovery) is logged. Default: silent. */
  logger?: LoggerLike;
}

/** Run durations from 10 ms to an hour: jobs range from quick checks to nightly batches. */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [
  0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600,
];

/** Fire lags from 5 ms (a healthy runner) to a minute (a busy event loop, a lagging clock). */
export const DEFAULT_LAG_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

const DEFAULT_STATS_TIMEOUT_MS = 2000;

/** Options after validation, with defaults applied. */
export interface ResolvedMetricsOptions {
  redis: Redis | Cluster;
  registry: Registry | undefined;
  runner: MeasuredRunner | undefined;
  queues: readonly MeasuredQueue[];
  prefix: string;
  durationBuckets: number[];
  lagBuckets: number[];
  statsTimeoutMs: number;
  logger: LoggerLike;
}

/** A Prometheus metric name start: letters, digits, `_` and `:`, not starting with a digit. */
const METRIC_NAME_START = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Checks every option before anything is registered, so a mistake shows at start-up. */
export function resolveMetricsOptions(options: unknown): ResolvedMetricsOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(
      "options",
      options,
      `options ${show(options)} is not usable: pass { redis, runner } or { redis, queues }`,
    );
  }
  const o = options as Record<keyof MetricsOptions, unknown>;
  assertRedisClient(o.redis, "options.redis");
  const runner = resolveRunner(o.runner);
  const queues = resolveQueues(o.queues);
  if (runner === undefined && queues.length === 0) {
    throw new InvalidArgumentError(
      "options",
      options,
      "options has neither a runner nor queues, so there is nothing to measure: pass runner (a JobRunner), queues (RedisQueue instances) or both",
    );
  }
  return {
    redis: o.redis,
    registry: resolveRegistry(o.registry),
    runner,
    queues,
    prefix: resolveNamePrefix(o.prefix),
    durationBuckets: resolveBuckets("options.durationBuckets", o.durationBuckets, DEFAULT_DURATION_BUCKETS),
    lagBuckets: resolveBuckets("options.lagBuckets", o.lagBuckets, DEFAULT_LAG_BUCKETS),
    statsTimeoutMs:
      o.statsTimeout === undefined
        ? DEFAULT_STATS_TIMEOUT_MS
        : parseDuration("options.statsTimeout", o.statsTimeout, {
            max: 2 ** 31 - 1,
            maxReason: "it drives a Node.js timer",
          }),
    logger: resolveLogger(o.logger),
  };
}

function resolveRegistry(value: unknown): Registry | undefined {
  if (value === undefined) return undefined;
  const registry = value as Partial<
    Record<"registerMetric" | "removeSingleMetric" | "getSingleMetric", unknown>
  >;
  if (
    typeof value !== "object" ||
    value === null ||
    typeof registry.registerMetric !== "function" ||
    typeof registry.removeSingleMetric !== "function" ||
    typeof registry.getSingleMetric !== "function"
  ) {
    throw new InvalidArgumentError(
      "options.registry",
      value,
      `options.registry ${show(value)} is not a prom-client registry: pass \`new Registry()\` from prom-client, or leave it out for its global \`register\``,
    );
  }
  return value as Registry;
}

function resolveRunner(value: unknown): MeasuredRunner | undefined {
  if (value === undefined) return undefined;
  const runner = value as Partial<Record<keyof MeasuredRunner, unknown>> | null;
  if (
    typeof runner !== "object" ||
    runner === null ||
    typeof runner.on !== "function" ||
    typeof runner.prefix !== "string" ||
    !isStringArray(runner.jobNames) ||
    !isStringArray(runner.queueNames)
  ) {
    throw new InvalidArgumentError(
      "options.runner",
      value,
      `options.runner ${show(value)} is not a JobRunner with events: pass a \`new JobRunner(container)\` from @octo/runner (a version that has runner.on), or leave it out`,
    );
  }
  return value as MeasuredRunner;
}

function resolveQueues(value: unknown): MeasuredQueue[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(
      "options.queues",
      value,
      `options.queues ${show(value)} is not usable: pass an array of RedisQueue instances, or leave it out`,
    );
  }
  const names = new Set<string>();
  return value.map((queue: unknown, index) => {
    const argument = `options.queues[${index}]`;
    const q = queue as Partial<Record<keyof MeasuredQueue, unknown>> | null;
    if (
      typeof q !== "object" ||
      q === null ||
      typeof q.name !== "string" ||
      typeof q.stats !== "function" ||
      typeof q.on !== "function"
    ) {
      throw new InvalidArgumentError(
        argument,
        queue,
        `${argument} ${show(queue)} is not a RedisQueue with events: pass a \`new RedisQueue(name, redis)\` from @octo/redis-queue (a version that has queue.on)`,
      );
    }
    if (names.has(q.name)) {
      throw new InvalidArgumentError(
        argument,
        queue,
        `${argument} is a second queue named ${show(q.name)}: its series would mix with the first one's; pass each queue once`,
      );
    }
    names.add(q.name);
    return queue as MeasuredQueue;
  });
}

function resolveNamePrefix(value: unknown): string {
  if (value === undefined) return "octo_";
  if (typeof value !== "string" || !METRIC_NAME_START.test(value)) {
    throw new InvalidArgumentError(
      "options.prefix",
      value,
      `options.prefix ${show(value)} cannot start a Prometheus metric name: pass letters, digits, "_" or ":" not starting with a digit, such as "octo_" (the default)`,
    );
  }
  return value;
}

function resolveBuckets(argument: string, value: unknown, fallback: readonly number[]): number[] {
  if (value === undefined) return [...fallback];
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (bound, i) =>
        typeof bound === "number" && Number.isFinite(bound) && bound > 0 && (i === 0 || bound > value[i - 1]),
    );
  if (!valid) {
    throw new InvalidArgumentError(
      argument,
      value,
      `${argument} ${show(value)} is not usable: pass a non-empty array of increasing positive numbers of seconds, such as [0.1, 1, 10]`,
    );
  }
  return [...(value as number[])];
}

function resolveLogger(value: unknown): LoggerLike {
  if (value === undefined) return silentLogger;
  const logger = value as Partial<Record<"debug" | "info" | "warn" | "error", unknown>> | null;
  if (
    typeof logger !== "object" ||
    logger === null ||
    !(["debug", "info", "warn", "error"] as const).every((level) => typeof logger[level] === "function")
  ) {
    throw new InvalidArgumentError(
      "options.logger",
      value,
      `options.logger ${show(value)} is not usable: pass a logger with debug, info, warn and error methods (Logger from @octo/logger, pino…), or leave it out`,
    );
  }
  return value as LoggerLike;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
