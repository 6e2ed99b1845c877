import {
  assertKeyName,
  assertNonEmptyString,
  assertRedisClient,
  type Duration,
  parseDuration,
  resolvePrefix,
} from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import { lockCommands, lockKeys } from "./scripts";

/** Options every lock function takes. */
export interface LockOptions {
  /** First part of every key, so several applications can share one Redis. Default `"octo"`. */
  prefix?: string;
}

/** A held lock with its fencing token; see `acquireFencedLock`. */
export interface FencedLock {
  readonly group: string;
  readonly owner: string;
  /**
   * Grows with every successful acquire of this group, across all processes and clients. Send it
   * with every write the lock protects; the storage rejects writes carrying a token lower than
   * the highest it has seen.
   */
  readonly token: number;
  /** Releases the lock if this acquire still holds it; `false` when it expired or was taken. */
  release(): Promise<boolean>;
  /**
   * Sets the lock to expire `period` from now (default: the period it was acquired with), only
   * while this acquire still holds it; `false` when it already expired or was taken.
   */
  extend(period?: Duration): Promise<boolean>;
}

interface Checked {
  commands: ReturnType<typeof lockCommands>;
  keys: { lock: string; token: string };
}

function check(redis: unknown, group: unknown, owner: unknown, options: LockOptions | undefined): Checked {
  assertRedisClient(redis);
  // The group sits inside the keys' hash tag; the owner is only a value.
  assertKeyName("group", group);
  assertNonEmptyString("owner", owner);
  const prefix = resolvePrefix(options?.prefix);
  return { commands: lockCommands(redis), keys: lockKeys(prefix, group) };
}

/** Runs the acquire script; the token when taken, 0 when held by anyone. */
async function acquire(
  redis: Redis | Cluster,
  group: string,
  owner: string,
  period: Duration,
  options: LockOptions | undefined,
): Promise<{ token: number; periodMs: number; checked: Checked }> {
  const checked = check(redis, group, owner, options);
  const periodMs = parseDuration("period", period);
  const token = await checked.commands.octoLockAcquire(
    checked.keys.lock,
    checked.keys.token,
    owner,
    periodMs,
  );
  return { token: Number(token), periodMs, checked };
}

/**
 * Takes the lock `group` for `owner` for `period`, unless anyone (the same owner included) holds
 * it. The lock expires on its own after `period`, measured by Redis' clock.
 *
 * @param period an `ms` string (`"10m"`) or milliseconds
 * @returns `true` when taken, `false` when it was held
 * @throws InvalidArgumentError for a bad client, group, owner, period or prefix (before any Redis call)
 */
export async function acquireLock(
  redis: Redis | Cluster,
  group: string,
  owner: string,
  period: Duration,
  options?: LockOptions,
): Promise<boolean> {
  const { token } = await acquire(redis, group, owner, period, options);
  return token > 0;
}

/**
 * Releases the lock `group` if `owner` holds it, in one compare-and-delete step: a lock that
 * expired and was taken by someone else is left alone.
 *
 * @returns `true` when released, `false` when `owner` did not hold it (never held, expired, taken)
 */
export async function releaseLock(
  redis: Redis | Cluster,
  group: string,
  owner: string,
  options?: LockOptions,
): Promise<boolean> {
  const { commands, keys } = check(redis, group, owner, options);
  return (await commands.octoLockRelease(keys.lock, keys.token, owner, "")) === 1;
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
  const { commands, keys } = check(redis, group, owner, options);
  const periodMs = parseDuration("period", period);
  return (await commands.octoLockExtend(keys.lock, keys.token, owner, periodMs, "")) === 1;
}

/**
 * Like `acquireLock`, but answers with the held lock and its fencing token, or `null` when the
 * lock was held. `release()` and `extend()` act only while this very acquire holds the lock
 * (owner and token both match), so a stale handle cannot touch a later acquire by the same owner.
 */
export async function acquireFencedLock(
  redis: Redis | Cluster,
  group: string,
  owner: string,
  period: Duration,
  options?: LockOptions,
): Promise<FencedLock | null> {
  const { token, periodMs, checked } = await acquire(redis, group, owner, period, options);
  if (token === 0) return null;
  const { commands, keys } = checked;
  const tokenText = String(token);
  return {
    group,
    owner,
    token,
    release: async () => (await commands.octoLockRelease(keys.lock, keys.token, owner, tokenText)) === 1,
    extend: async (next?: Duration) => {
      const nextMs = next === undefined ? periodMs : parseDuration("period", next);
      return (await commands.octoLockExtend(keys.lock, keys.token, owner, nextMs, tokenText)) === 1;
    },
  };
}
