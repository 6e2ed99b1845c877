import {
  assertKeyName,
  assertRedisClient,
  InvalidArgumentError,
  type LoggerLike,
  MAX_TIMER_DELAY_MS,
  parseDuration,
  resolvePrefix,
  silentLogger,
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
   * How long a taken item stays leased without renewal; renewed every third of it. `ms` string
   * or ms, rounded up to whole ms, at most 6,442,450,941 ms (about 74.6 days: a renewal timer
   * cannot wait longer than 2^31-1 ms). Default "30s".
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
}

/**
 * Most items one script call handles: Lua in Redis cannot unpack much more than 8,000 values,
 * and a call writes two per item.
 */
export const MAX_ITEMS_PER_CALL = 1000;

/** A worker renews its leases this many times per `leaseTime`. */
export const LEASE_RENEWALS_PER_PERIOD = 3;

/**
 * The longest `leaseTime`: leases are renewed by a Node.js timer every
 * `leaseTime / LEASE_RENEWALS_PER_PERIOD`, and a timer cannot wait longer than 2^31-1 ms (it
 * would fire at once, renewing every millisecond).
 */
export const MAX_LEASE_MS = LEASE_RENEWALS_PER_PERIOD * MAX_TIMER_DELAY_MS;

/** The options of a queue, validated, with defaults applied and durations in whole ms. */
export interface ResolvedQueueOptions<T> {
  name: string;
  prefix: string;
  retries: number;
  timeoutMs: number;
  leaseMs: number;
  batchSize: number;
  codec: Codec<T>;
  logger: LoggerLike;
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
  return {
    name,
    redis,
    prefix: resolvePrefix(options.prefix),
    retries: count("options.retries", options.retries ?? 3, 0),
    timeoutMs: parseDuration("options.timeout", options.timeout ?? "10s"),
    leaseMs: parseDuration("options.leaseTime", options.leaseTime ?? "30s", {
      max: MAX_LEASE_MS,
      maxReason: `leases are renewed every 1/${LEASE_RENEWALS_PER_PERIOD} of leaseTime by a Node.js timer, which cannot wait longer than 2^31-1 ms`,
    }),
    batchSize: count("options.batchSize", options.batchSize ?? 100, 1, MAX_ITEMS_PER_CALL),
    codec,
    logger,
  };
}

/** A count argument: an integer from `min` to `max`, else `InvalidArgumentError` naming it. */
export function count(argument: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw InvalidArgumentError.expected(argument, value, `an integer ${range}`);
  }
  return value;
}
