import {
  A_TELEMETRY,
  assertKeyName,
  assertRedisClient,
  InvalidArgumentError,
  isTelemetry,
  type LoggerLike,
  parseDuration,
  resolvePrefix,
  show,
  silentLogger,
  type Telemetry,
} from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import { type Codec, jsonCodec } from "./codec";

/** Options of `new RedisQueue(name, redis, options)`. */
export interface QueueOptions<T> {
  /** Retries after the first failure before an item is dead-lettered. Default 3. */
  retries?: number;
  /** Minimum wait before the first retry (doubles after each). `ms` string or ms. Default "10s". */
  timeout?: string | number;
  /**
   * How long a taken item stays leased without renewal; renewed every quarter of it. `ms` string
   * or ms, rounded up to whole ms. A lease longer than a Node.js timer can wait (2^31-1 ms) is
   * renewed and watched in steps. Default "30s".
   */
  leaseTime?: string | number;
  /** Key prefix, without `{` or `}`. Default "octo". */
  prefix?: string;
  /** How items are stored. Default JSON that keeps Dates and refuses what JSON would change. */
  codec?: Codec<T>;
  /** Where the queue logs. Default silent. */
  logger?: LoggerLike;
  /** Items per take / fill round trip, 1 to 1,000. Default 100. */
  batchSize?: number;
  /**
   * Lease expiries of a running item (its worker died or hung) tolerated before the item goes to
   * the dead letter, so an item that crashes its workers cannot loop forever. An integer >= 0;
   * default 1, as BullMQ's `maxStalledCount`: the item is run again once, and dead-lettered when
   * it stalls a second time.
   */
  maxStalls?: number;
  /**
   * How long a failed item waits before its next attempt. Default
   * `{ type: "exponential", delay: timeout }`: `timeout`, doubling after each failure, no cap.
   */
  backoff?: BackoffOptions;
  /**
   * Traces each item a worker of this queue handles in an `octo.queue.item` span, with the
   * handler's own spans as its children: pass `openTelemetry()` from `@octo/metrics`. Each item
   * starts a new trace (`fill` and `add` carry no trace context here; the runner's fills do).
   * Default none: no span, nothing added per item.
   */
  telemetry?: Telemetry;
}

/** The wait before each retry, computed by Redis when the failure is recorded. */
export interface BackoffOptions {
  /** `"exponential"`: `delay × 2^(attempt-1)`; `"fixed"`: `delay` every time. */
  type: "exponential" | "fixed";
  /** The first wait: an `ms` string or milliseconds, more than zero. Default the queue's `timeout`. */
  delay?: string | number;
  /** The longest wait, at least `delay`. Default none. */
  max?: string | number;
  /** Full jitter: wait a uniformly random time from 0 to the computed wait. Default false. */
  jitter?: boolean;
}

/** A backoff with its durations in whole ms; `maxMs` 0 when there is no cap. */
export interface ResolvedBackoff {
  type: "exponential" | "fixed";
  delayMs: number;
  maxMs: number;
  jitter: boolean;
}

/**
 * Most items one script call handles: Lua in Redis cannot unpack much more than 8,000 values,
 * and a call writes two per item.
 */
export const MAX_ITEMS_PER_CALL = 1000;

/** The options of a queue, validated, with defaults applied and durations in whole ms. */
export interface ResolvedQueueOptions<T> {
  name: string;
  prefix: string;
  retries: number;
  timeoutMs: number;
  leaseMs: number;
  batchSize: number;
  maxStalls: number;
  backoff: ResolvedBackoff;
  codec: Codec<T>;
  logger: LoggerLike;
  telemetry: Telemetry | undefined;
}

/**
 * Validates the constructor's arguments (both signatures) in one place, before anything
 * reaches Redis; every duration is parsed here and nowhere else.
 */
export function resolveQueueOptions<T>(
  name: unknown,
  redis: unknown,
  retriesOrOptions: number | QueueOptions<T> | undefined,
  timeout: string | number | undefined,
): ResolvedQueueOptions<T> & { redis: Redis | Cluster } {
  const options: QueueOptions<T> =
    typeof retriesOrOptions === "object" && retriesOrOptions !== null
      ? retriesOrOptions
      : { retries: retriesOrOptions, timeout };
  assertKeyName("name", name);
  assertRedisClient(redis);
  const codec = options.codec ?? (jsonCodec as Codec<T>);
  if (
    typeof codec !== "object" ||
    codec === null ||
    typeof codec.encode !== "function" ||
    typeof codec.decode !== "function"
  ) {
    throw InvalidArgumentError.expected("options.codec", codec, "an object with encode and decode functions");
  }
  const logger = options.logger ?? silentLogger;
  if (typeof logger !== "object" || logger === null || typeof logger.warn !== "function") {
    throw InvalidArgumentError.expected(
      "options.logger",
      logger,
      "a logger with debug, info, warn and error",
    );
  }
  const telemetry = options.telemetry;
  if (telemetry !== undefined && !isTelemetry(telemetry)) {
    throw InvalidArgumentError.expected("options.telemetry", telemetry, A_TELEMETRY);
  }
  const timeoutMs = parseDuration("options.timeout", options.timeout ?? "10s");
  return {
    name,
    redis,
    prefix: resolvePrefix(options.prefix),
    retries: count("options.retries", options.retries ?? 3, 0),
    timeoutMs,
    backoff: resolveBackoff(options.backoff, timeoutMs),
    leaseMs: parseDuration("options.leaseTime", options.leaseTime ?? "30s"),
    batchSize: count("options.batchSize", options.batchSize ?? 100, 1, MAX_ITEMS_PER_CALL),
    maxStalls: count("options.maxStalls", options.maxStalls ?? 1, 0),
    codec,
    logger,
    telemetry,
  };
}

/** Validates `options.backoff`; without one, the default: `timeout`, doubling, no cap. */
export function resolveBackoff(backoff: unknown, timeoutMs: number): ResolvedBackoff {
  if (backoff === undefined) return { type: "exponential", delayMs: timeoutMs, maxMs: 0, jitter: false };
  if (typeof backoff !== "object" || backoff === null) {
    throw InvalidArgumentError.expected(
      "options.backoff",
      backoff,
      'an object such as { type: "exponential", delay: "1s", max: "1m", jitter: true }',
    );
  }
  const { type, delay, max, jitter } = backoff as BackoffOptions;
  if (type !== "exponential" && type !== "fixed") {
    throw InvalidArgumentError.expected("options.backoff.type", type, '"exponential" or "fixed"');
  }
  const delayMs = delay === undefined ? timeoutMs : parseDuration("options.backoff.delay", delay);
  const maxMs = max === undefined ? 0 : parseDuration("options.backoff.max", max);
  if (max !== undefined && maxMs < delayMs) {
    throw new InvalidArgumentError(
      "options.backoff.max",
      max,
      `options.backoff.max ${show(max)} (${maxMs} ms) is shorter than the first wait (${delayMs} ms): pass a max of at least options.backoff.delay`,
    );
  }
  if (jitter !== undefined && typeof jitter !== "boolean") {
    throw InvalidArgumentError.expected("options.backoff.jitter", jitter, "true or false");
  }
  return { type, delayMs, maxMs, jitter: jitter ?? false };
}

/** A count argument: an integer from `min` to `max`, else `InvalidArgumentError` naming it. */
export function count(argument: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw InvalidArgumentError.expected(argument, value, `an integer ${range}`);
  }
  return value;
}
