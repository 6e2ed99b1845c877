/**
 * The runner's decisions as pure functions: no Redis, no timers, no clock of their own. Each is
 * tested alone (test/decisions.test.ts), so a change of policy is a change here.
 */
import { MAX_TIMER_DELAY_MS } from "@octo/internal";

/**
 * The T of a fire: the scheduled second, not the wall clock when the callback ran. Every instance
 * derives the same T for one fire, so they all race for the same claim key.
 */
export function fireTime(scheduled: Date): number {
  return Math.floor(scheduled.getTime() / 1000) * 1000;
}

/**
 * How long the record of a tick's claimer (`<prefix>:tick:{job}:<T>`) is kept: as long as the run
 * may last, and at least `minClaimTtl`. Once-per-tick does not rest on it (the job's mark does);
 * it answers "who claimed T" while the run may still be going.
 */
export function claimTtlMs(maxComputeTime: number, minClaimTtl: number): number {
  return Math.max(maxComputeTime, minClaimTtl);
}

/**
 * The period of one run's lease on its job: the runner's `runLease`, but never longer than the
 * job's maxComputeTime (a run is not meant to outlive it, and a crashed run should free its job
 * no later than the old maxComputeTime lock did), and at least 1 s so renewals stay cheap.
 */
export function runLeasePeriodMs(runLeaseMs: number, maxComputeTimeMs: number): number {
  return Math.max(1000, Math.min(runLeaseMs, maxComputeTimeMs));
}

/** How a run lease of `periodMs` is kept: renewed three times per period, so two renewals may fail. */
export function runLeaseRenewEveryMs(periodMs: number): number {
  return Math.max(1, Math.floor(periodMs / 3));
}

/** Wait before retry number `attempt` (1-based attempt that failed): `timeout`, doubling. */
export function retryDelayMs(timeoutMs: number, failedAttempt: number): number {
  return Math.min(timeoutMs * 2 ** (failedAttempt - 1), MAX_TIMER_DELAY_MS);
}

/** Whether a failed attempt is tried again. */
export function shouldRetry(failedAttempt: number, retries: number, aborted: boolean): boolean {
  return !aborted && failedAttempt <= retries;
}

/**
 * Wait before restarting a queue worker that failed `failures` times in a row (Redis down,
 * READONLY): 1 s, doubling, at most 30 s. Items stay in Redis meanwhile.
 */
export function workerRestartDelayMs(failures: number): number {
  return Math.min(1000 * 2 ** Math.max(0, failures - 1), 30_000);
}

/** The latest ticks strictly between two instants, and whether every earlier one is in the list. */
export interface TicksBetween {
  /** Ascending, at most `cap`, the latest ones. */
  ticks: number[];
  /** False when earlier ticks in the range were left out (more than `cap`). */
  complete: boolean;
}

/**
 * The latest ticks (at most `cap`) of a schedule strictly between `afterMs` and `beforeMs`, found
 * with `next` (the schedule's next fire strictly after a date: node-cron's own matcher, so time
 * zones and daylight saving read as when it fires). It searches back from `beforeMs` in windows
 * that grow fourfold (and shrink while a window holds far more than `cap`), so the work stays near
 * `cap` steps of `next` per window whatever the gap, a week of an every-second job included.
 */
export function latestTicksBetween(
  next: (after: Date) => Date | null,
  afterMs: number,
  beforeMs: number,
  cap: number,
): TicksBetween {
  if (beforeMs - afterMs <= 1000) return { ticks: [], complete: true };
  const maxSteps = 4 * cap + 64;
  /** Every tick in (fromMs, beforeMs), or null when there are more than maxSteps. */
  const walk = (fromMs: number): number[] | null => {
    const out: number[] = [];
    let at = new Date(fromMs);
    for (;;) {
      const n = next(at);
      // No later fire, or none that moves forward (a schedule that never fires again).
      if (!n || n.getTime() >= beforeMs || n.getTime() <= at.getTime()) return out;
      if (n.getTime() > afterMs) out.push(fireTime(n));
      if (out.length > maxSteps) return null;
      at = n;
    }
  };
  let span = 60_000;
  let tooDense = Number.POSITIVE_INFINITY;
  let best: number[] = [];
  for (let round = 0; round < 64; round++) {
    const from = Math.max(afterMs, beforeMs - span);
    const found = walk(from);
    if (found === null) {
      tooDense = span;
      span = Math.max(1000, Math.floor(span / 2));
      continue;
    }
    best = found;
    if (found.length >= cap || from === afterMs) {
      return { ticks: found.slice(-cap), complete: from === afterMs && found.length <= cap };
    }
    span = Math.min(span * 4, Math.floor((span + tooDense) / 2));
  }
  return { ticks: best.slice(-cap), complete: false };
}

/**
 * Whether a run in progress, as its record says, may still be waiting for its lease: from its
 * claim it may wait `lockWaitMs` and then take a lease of `leasePeriodMs`; `slackMs` covers the
 * clocks of the claimer and the checker being apart. Past that, a lease not held by the run means
 * it crashed.
 */
export function mayStillBeStarting(
  claimedAtMs: number,
  nowMs: number,
  lockWaitMs: number,
  leasePeriodMs: number,
  slackMs: number,
): boolean {
  return nowMs < claimedAtMs + lockWaitMs + leasePeriodMs + slackMs;
}

/** A job's catch-up settings, as `@job(..., { catchUp, rerunCrashed })` resolved them. */
export interface CatchUpSettings {
  windowMs: number;
  runs: "latest" | "all";
  max: number;
  rerunCrashed: boolean;
}

/**
 * The ticks to take for a late run, oldest first: from the history's entries, the missed ones (and
 * crashed ones with `rerunCrashed`) within the window before `nowMs` and later than the catch-up
 * mark (ticks at or before it were taken already, or passed over by "latest"); `"latest"` keeps
 * only the most recent, `"all"` the latest `max`.
 */
export function catchUpPlan(
  entries: ReadonlyArray<{ T: number; outcome: string }>,
  catchUpMark: number | null,
  nowMs: number,
  settings: CatchUpSettings,
): number[] {
  const due = new Set<number>();
  for (const { T, outcome } of entries) {
    const lost = outcome === "missed" || (settings.rerunCrashed && outcome === "crashed");
    if (lost && T >= nowMs - settings.windowMs && (catchUpMark === null || T > catchUpMark)) due.add(T);
  }
  const sorted = [...due].sort((a, b) => a - b);
  return sorted.slice(settings.runs === "latest" ? -1 : -settings.max);
}

/** The lifecycle of a `JobRunner`. */
export type RunnerState = "idle" | "starting" | "running" | "stopping" | "stopped";

/** What `start()` may do in each state. */
export function startDecision(state: RunnerState): "start" | "already-started" {
  return state === "idle" ? "start" : "already-started";
}
