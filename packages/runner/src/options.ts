import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { type LoggerLike, parseDuration } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import { InvalidRunnerArgumentError } from "./errors";
import type { JobRunnerOptions } from "./types";

/** `JobRunnerOptions` after defaults and checks; durations in ms. */
export interface ResolvedRunnerOptions {
  prefix: string;
  instanceId: string;
  minClaimTtl: number;
  lockWaitMs: number;
  runLeaseMs: number;
  historyLimit: number;
}

const DEFAULT_RUN_LEASE_MS = 10_000;
const MIN_RUN_LEASE_MS = 1000;
export const AN_IOREDIS_CLIENT = "an ioredis Redis or Cluster client (new Redis(url))";

/** Whether `value` is an object with a function under each of `names` (duck typing across copies). */
export function hasMethods(value: unknown, names: string[]): boolean {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  return names.every((n) => typeof (value as Record<string, unknown>)[n] === "function");
}

/** Checks the constructor's arguments and fills in defaults; throws `InvalidRunnerArgumentError`. */
export function resolveRunnerOptions(container: unknown, options: unknown): ResolvedRunnerOptions {
  if (!hasMethods(container, ["isBound", "bind", "get"])) {
    throw new InvalidRunnerArgumentError("container", container, "an inversify Container (new Container())");
  }
  if (typeof options !== "object" || options === null) {
    throw new InvalidRunnerArgumentError("options", options, "an object of JobRunnerOptions or undefined");
  }
  const o = options as JobRunnerOptions;
  const prefix = o.prefix ?? "octo";
  const instanceId = o.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const minClaimTtl = o.minClaimTtl ?? 60_000;
  const lockWaitMs = o.lockWaitMs ?? 1000;
  for (const [argument, value] of [
    ["options.prefix", prefix],
    ["options.instanceId", instanceId],
  ] as const) {
    if (typeof value !== "string" || value.length === 0) {
      throw new InvalidRunnerArgumentError(argument, value, "a non-empty string");
    }
  }
  if (typeof minClaimTtl !== "number" || !Number.isFinite(minClaimTtl) || minClaimTtl <= 0) {
    throw new InvalidRunnerArgumentError("options.minClaimTtl", minClaimTtl, "a positive number of ms");
  }
  if (typeof lockWaitMs !== "number" || !Number.isFinite(lockWaitMs) || lockWaitMs < 0) {
    throw new InvalidRunnerArgumentError("options.lockWaitMs", lockWaitMs, "a number of ms >= 0");
  }
  const historyLimit = o.historyLimit ?? 100;
  if (!Number.isSafeInteger(historyLimit) || historyLimit < 1) {
    throw new InvalidRunnerArgumentError("options.historyLimit", historyLimit, "a positive integer");
  }
  return {
    prefix,
    instanceId,
    minClaimTtl,
    lockWaitMs,
    runLeaseMs: parseRunLease(o.runLease),
    historyLimit,
  };
}

function parseRunLease(value: unknown): number {
  if (value === undefined) return DEFAULT_RUN_LEASE_MS;
  const expected = 'a duration of at least 1 s ("10s" or 10000)';
  let ms: number;
  try {
    ms = parseDuration("options.runLease", value);
  } catch {
    throw new InvalidRunnerArgumentError("options.runLease", value, expected);
  }
  if (ms < MIN_RUN_LEASE_MS) throw new InvalidRunnerArgumentError("options.runLease", value, expected);
  return ms;
}

/** The reason `start(redis, logger)` cannot use its arguments, or undefined when it can. */
export function startArgumentError(redis: unknown, logger: unknown): InvalidRunnerArgumentError | undefined {
  if (!hasMethods(redis, ["defineCommand", "sadd", "hset", "get", "set", "duplicate"])) {
    return new InvalidRunnerArgumentError("redis", redis, AN_IOREDIS_CLIENT);
  }
  if ((redis as Redis | Cluster).status === "end") {
    return new InvalidRunnerArgumentError(
      "redis",
      redis,
      "an open client, but this one was closed by quit() or disconnect(): pass a connected client",
    );
  }
  if (!hasMethods(logger as LoggerLike, ["debug", "info", "warn", "error"])) {
    return new InvalidRunnerArgumentError(
      "logger",
      logger,
      "a logger with debug, info, warn and error methods",
    );
  }
  return undefined;
}

/** The `limit` of `history(job, options)`, or the error to reject with. */
export function historyLimitOf(options: unknown, fallback: number): number | InvalidRunnerArgumentError {
  if (typeof options !== "object" || options === null) {
    return new InvalidRunnerArgumentError(
      "options",
      options,
      "an object such as { limit: 10 }, or undefined",
    );
  }
  const limit = (options as { limit?: unknown }).limit ?? fallback;
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1) {
    return new InvalidRunnerArgumentError("options.limit", limit, "a positive integer");
  }
  return limit;
}
