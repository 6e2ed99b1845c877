import {
  assertKeyName,
  assertNonEmptyString,
  assertRedisClient,
  type Duration,
  parseDuration,
  resolvePrefix,
} from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import { type GroupScripts, groupScripts } from "./scripts";

/** Options every lock function takes. */
export interface LockOptions {
  /**
   * First part of every key, so several applications can share one Redis. Default `"octo"`.
   * Must not contain `{` or `}` (Redis Cluster would read them as the keys' hash tag).
   */
  prefix?: string;
}

/** A held lock with its fencing token; see `acquireFencedLock`. */
export interface FencedLock {
  readonly group: string;
  readonly owner: string;
  /**
   * Grows with every new acquire of this group, across all processes and clients. Send it with
   * every write the lock protects; the storage rejects writes carrying a token lower than the
   * highest it has seen.
   */
  readonly token: number;
  /**
   * Releases the lock if this acquire still holds it; `false` when it expired or was taken.
   * Calling it again after a release answers `true` again (see the README on re-sent commands).
   */
  release(): Promise<boolean>;
  /**
   * Sets the lock to expire `period` from now (default: the period it was acquired with), only
   * while this acquire still holds it; `false` when it already expired or was taken.
   */
  extend(period?: Duration): Promise<boolean>;
}

/** Checks the arguments every lock function shares, before anything is sent. */
function scriptsFor(
  redis: unknown,
  group: unknown,
  owner: unknown,
  options: LockOptions | undefined,
): GroupScripts {
  assertRedisClient(redis);
  // The group sits inside the keys' hash tag; the owner is only stored as a value.
  assertKeyName("group", group);
  assertNonEmptyString("owner", owner);
  const prefix = resolvePrefix(options?.prefix);
  return groupScripts(redis, prefix, group);
}

/**
 * Takes the lock `group` for `owner` for `period`, unless another owner holds it. The lock
 * expires on its own after `period`, measured by Redis' clock.
 *
 * An owner that already holds the lock gets `true` and the lock's period starts over: so an
 * acquire that ioredis re-sends after a lost reply answers `true`, as the first one did. Give
 * every holder its own owner name; two callers sharing one are one holder to the lock.
 *
 * @param period an `ms` string (`"10m"`) or milliseconds; fractions are rounded up
 * @returns `true` when `owner` holds the lock now, `false` when another owner holds it
 * @throws InvalidArgumentError for a bad client, group, owner, period or prefix (before any Redis call)
 */
export async function acquireLock(
  redis: Redis | Cluster,
  group: string,
  owner: string,
  period: Duration,
  options?: LockOptions,
): Promise<boolean> {
  const scripts = scriptsFor(redis, group, owner, options);
  const periodMs = parseDuration("period", period);
  return (await scripts.acquire(owner, periodMs)) > 0;
}

/**
 * Releases the lock `group` if `owner` holds it, in one compare-and-delete step: a lock that
 * expired and was taken by someone else is left alone.
 *
 * A release leaves a receipt for ten minutes, so the same release sent again (after a lost
 * reply, or by a second call) answers `true` as the first did, until `owner` acquires again.
 *
 * @returns `true` when released, `false` when `owner` did not hold it (never held, expired, taken)
 */
export async function releaseLock(
  redis: Redis | Cluster,
  group: string,
  owner: string,
  options?: LockOptions,
): Promise<boolean> {
  return scriptsFor(redis, group, owner, options).release(owner, "");
}

/**
 * Sets the lock `group` to expire `period` from now, only while `owner` holds it. An expired lock
 * is not revived: take it again with `acquireLock`.
 *
 * @returns `true` when extended, `false` when `owner` did not hold it
 */
export async function extendLock(
  redis: Redis | Cluster,
  group: string,
  owner: string,
  period: Duration,
  options?: LockOptions,
): Promise<boolean> {
  const scripts = scriptsFor(redis, group, owner, options);
  const periodMs = parseDuration("period", period);
  return scripts.extend(owner, periodMs, "");
}

/**
 * Like `acquireLock`, but answers with the held lock and its fencing token, or `null` when
 * another owner holds it. An owner that already holds the lock gets the token it holds, so a
 * re-sent acquire returns the same token, not a new one. `release()` and `extend()` act only
 * while this very acquire holds the lock (owner and token both match), so a stale handle cannot
 * touch a later acquire by the same owner.
 */
export async function acquireFencedLock(
  redis: Redis | Cluster,
  group: string,
  owner: string,
  period: Duration,
  options?: LockOptions,
): Promise<FencedLock | null> {
  const scripts = scriptsFor(redis, group, owner, options);
  const periodMs = parseDuration("period", period);
  const token = await scripts.acquire(owner, periodMs);
  if (token === 0) return null;
  const tokenText = String(token);
  return {
    group,
    owner,
    token,
    release: () => scripts.release(owner, tokenText),
    extend: async (next?: Duration) => {
      const nextMs = next === undefined ? periodMs : parseDuration("period", next);
      return scripts.extend(owner, nextMs, tokenText);
    },
  };
}
