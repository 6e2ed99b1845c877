import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  assertNonEmptyString,
  type Duration,
  InvalidArgumentError,
  MAX_TIMER_DELAY_MS,
  parseDuration,
  resolvePrefix,
  show,
} from "@octo/internal";
import type { LockOptions } from "./lock";

/** Options of `withLock`; every field is optional. */
export interface WithLockOptions extends LockOptions {
  /**
   * How long the lock lives without a renewal; a crashed holder frees it after this. Default
   * `"30s"`. At most 2^31-1 ms (about 24.8 days): withLock times the lock's expiry with a Node.js
   * timer, and Node fires a longer timer at once.
   */
  period?: Duration;
  /** How often the lock is renewed while `fn` runs; must be shorter than `period`. Default `period / 3`. */
  renewEvery?: Duration;
  /**
   * How long before the lock could expire in Redis `fn`'s signal fires when no renewal was
   * confirmed: room for timers that fire late on a busy event loop and for clock drift between
   * this process and Redis. Default: 1 % of `period` + 2 ms (as redlock's `driftFactor` 0.01).
   * `renewEvery + safetyMargin` must be shorter than `period`.
   */
  safetyMargin?: Duration;
  /** How long to keep trying when the lock is held. Default `0`: one attempt. */
  waitFor?: Duration;
  /**
   * Pause between attempts while waiting (randomised between half and all of it so waiters do not
   * move in lockstep), and between renewal attempts after Redis errors. Default `"100ms"`.
   */
  retryDelay?: Duration;
  /**
   * Who holds the lock, as stored in Redis. Default: `<hostname>:<pid>:<random UUID>`, new for
   * every call. An owner names one holder: two calls that share an owner both get the lock.
   */
  owner?: string;
  /**
   * Stops waiting for the lock (the call rejects with the signal's reason) and, once `fn` runs,
   * is forwarded to the signal `fn` gets. The lock is still released when `fn` settles.
   */
  signal?: AbortSignal;
}

/** The defaults, in one place; the README's option table lists the same. */
const DEFAULT_PERIOD_MS = 30_000;
const DEFAULT_RETRY_DELAY_MS = 100;
/** Redlock's clock drift allowance: 1 % of the period plus 2 ms. */
const DEFAULT_DRIFT_FACTOR = 0.01;
const DEFAULT_DRIFT_MS = 2;

const TIMER_REASON = "withLock drives a Node.js timer with it, and Node fires a longer timer at once";

/** `WithLockOptions` parsed and checked once, before anything is sent. */
export interface WithLockSettings {
  periodMs: number;
  renewMs: number;
  marginMs: number;
  waitMs: number;
  retryMs: number;
  owner: string;
  prefix: string;
  signal: AbortSignal | undefined;
}

export function withLockSettings(options: WithLockOptions): WithLockSettings {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError("options", options, `options ${show(options)} is not an object`);
  }
  const timer = { max: MAX_TIMER_DELAY_MS, maxReason: TIMER_REASON };
  const periodMs =
    options.period === undefined ? DEFAULT_PERIOD_MS : parseDuration("options.period", options.period, timer);
  const renewMs =
    options.renewEvery === undefined
      ? Math.max(1, Math.floor(periodMs / 3))
      : parseDuration("options.renewEvery", options.renewEvery, timer);
  if (renewMs >= periodMs) {
    throw new InvalidArgumentError(
      "options.renewEvery",
      options.renewEvery,
      `options.renewEvery ${show(options.renewEvery)} (${renewMs} ms) is not shorter than the period ` +
        `(${periodMs} ms): the lock would expire between renewals; pass a renewEvery below the period ` +
        "(a third of it is a good choice)",
    );
  }
  const marginMs =
    options.safetyMargin === undefined
      ? Math.ceil(periodMs * DEFAULT_DRIFT_FACTOR) + DEFAULT_DRIFT_MS
      : parseDuration("options.safetyMargin", options.safetyMargin, { allowZero: true, ...timer });
  if (renewMs + marginMs >= periodMs) {
    const given = options.safetyMargin !== undefined;
    const argument = given ? "options.safetyMargin" : "options.period";
    const value = given ? options.safetyMargin : options.period;
    throw new InvalidArgumentError(
      argument,
      value,
      `${argument} ${show(value)} leaves no room for a renewal: safetyMargin (${marginMs} ms${given ? "" : ", the default"}) ` +
        `plus renewEvery (${renewMs} ms) is not shorter than the period (${periodMs} ms), so the signal ` +
        "would fire before the first renewal could answer; pass a longer period, or a shorter renewEvery " +
        "or safetyMargin",
    );
  }
  const waitMs =
    options.waitFor === undefined
      ? 0
      : parseDuration("options.waitFor", options.waitFor, { allowZero: true });
  const retryMs =
    options.retryDelay === undefined
      ? DEFAULT_RETRY_DELAY_MS
      : parseDuration("options.retryDelay", options.retryDelay, timer);
  let owner: string;
  if (options.owner === undefined) owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  else {
    assertNonEmptyString("options.owner", options.owner);
    owner = options.owner;
  }
  const prefix = resolvePrefix(options.prefix);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidArgumentError(
      "options.signal",
      options.signal,
      `options.signal ${show(options.signal)} is not an AbortSignal: pass an AbortController's signal or leave it out`,
    );
  }
  return { periodMs, renewMs, marginMs, waitMs, retryMs, owner, prefix, signal: options.signal };
}
