import { assertKeyName, assertRedisClient, InvalidArgumentError, show } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import { LockLostError } from "./errors";
import { groupScripts } from "./scripts";
import { type WithLockOptions, withLockSettings } from "./with-lock-options";

export type { WithLockOptions } from "./with-lock-options";

/** What `fn` learns about the lock it runs under, besides the signal. */
export interface HeldLock {
  readonly group: string;
  readonly owner: string;
  /** The fencing token of this acquire (see `acquireFencedLock`). */
  readonly token: number;
}

/**
 * `acquired: false` when the lock stayed held by someone else for all of `waitFor` (`fn` did not
 * run). Otherwise `fn`'s result; `lockLost` is the `LockLostError` that fired the signal when the
 * lock stopped being held before `fn` finished (the work may then have overlapped another
 * holder's), `undefined` when it was held throughout.
 */
export type WithLockResult<R> =
  | { acquired: true; result: R; lockLost: LockLostError | undefined }
  | { acquired: false };

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Runs `fn` while holding the lock `group`, and releases it when `fn` settles, whatever happens.
 *
 * - Acquire: one attempt, or attempts every `retryDelay` for up to `waitFor`. When the lock stays
 *   held, `fn` does not run and the answer is `{ acquired: false }`.
 * - While `fn` runs the lock is renewed every `renewEvery` to `period` from then. When a renewal
 *   finds the lock gone (deleted, expired, taken), or Redis has not confirmed a renewal by
 *   `safetyMargin` before the lock could expire (renewals that fail are retried until then),
 *   `signal` fires with a `LockLostError`. `fn` is not stopped: honouring the signal is its job; its result is still
 *   returned, with `lockLost` set.
 * - `fn`'s errors are rethrown after the release. A release that fails (Redis down) is not
 *   reported: the lock then expires after `period`.
 *
 * @throws InvalidArgumentError for bad arguments (before any Redis call); the signal's reason when
 *   `options.signal` aborts while waiting; Redis errors while acquiring; whatever `fn` throws
 */
export async function withLock<R>(
  redis: Redis | Cluster,
  group: string,
  fn: (signal: AbortSignal, lock: HeldLock) => Promise<R>,
  options: WithLockOptions = {},
): Promise<WithLockResult<R>> {
  assertRedisClient(redis);
  assertKeyName("group", group);
  if (typeof fn !== "function") {
    throw new InvalidArgumentError("fn", fn, `fn ${show(fn)} is not a function: pass (signal) => Promise<R>`);
  }
  const s = withLockSettings(options);
  const scripts = groupScripts(redis, s.prefix, group);

  let token = 0;
  let acquiredAt = 0;
  const giveUpAt = performance.now() + s.waitMs;
  for (;;) {
    s.signal?.throwIfAborted();
    acquiredAt = performance.now();
    token = await scripts.acquire(s.owner, s.periodMs);
    if (token > 0) break;
    const left = giveUpAt - performance.now();
    if (left <= 0) return { acquired: false };
    await sleep(Math.min(left, s.retryMs / 2 + (Math.random() * s.retryMs) / 2), s.signal);
  }

  const tokenText = String(token);
  const controller = new AbortController();
  let lost: LockLostError | undefined;
  let finished = false;
  let renewTimer: NodeJS.Timeout | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;

  const lose = (message: string, cause?: unknown) => {
    if (finished || lost) return;
    lost = new LockLostError(group, s.owner, `lock ${JSON.stringify(group)} ${message}`, { cause });
    clearTimeout(renewTimer);
    clearTimeout(expiryTimer);
    controller.abort(lost);
  };
  // Our own view of when the lock expires, measured from when the last successful acquire or
  // renewal was *sent*, so it is never later than Redis' view; the signal fires `safetyMargin`
  // before that, so that a timer that fires late (a busy event loop) or a clock that runs a
  // little slow still tells `fn` before Redis could give the lock to another owner.
  const watchExpiry = (sentAt: number, lastError?: unknown) => {
    clearTimeout(expiryTimer);
    expiryTimer = setTimeout(
      () =>
        lose(
          `was not renewed in time: it could expire ${s.marginMs} ms from now (period ${s.periodMs} ms)`,
          lastError,
        ),
      Math.max(0, sentAt + s.periodMs - s.marginMs - performance.now()),
    );
  };
  let lastError: unknown;
  const renew = async () => {
    const sentAt = performance.now();
    let held: boolean;
    try {
      held = await scripts.extend(s.owner, s.periodMs, tokenText);
    } catch (error) {
      lastError = error;
      if (!finished && !lost) {
        watchExpiry(acquiredAt, lastError);
        renewTimer = setTimeout(renew, Math.min(s.retryMs, s.renewMs));
      }
      return;
    }
    if (finished || lost) return;
    if (!held) {
      lose("is no longer held by this owner (it expired, was deleted or was taken)");
      return;
    }
    acquiredAt = sentAt;
    lastError = undefined;
    watchExpiry(sentAt);
    renewTimer = setTimeout(renew, s.renewMs);
  };
  watchExpiry(acquiredAt);
  renewTimer = setTimeout(renew, s.renewMs);

  const forward = () => controller.abort(s.signal?.reason);
  if (s.signal?.aborted) forward();
  else s.signal?.addEventListener("abort", forward, { once: true });

  try {
    const result = await fn(controller.signal, { group, owner: s.owner, token });
    return { acquired: true, result, lockLost: lost };
  } finally {
    finished = true;
    clearTimeout(renewTimer);
    clearTimeout(expiryTimer);
    s.signal?.removeEventListener("abort", forward);
    await scripts.release(s.owner, tokenText).catch(() => undefined);
  }
}
