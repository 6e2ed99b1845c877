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

/** The lifecycle of a `JobRunner`. */
export type RunnerState = "idle" | "starting" | "running" | "stopping" | "stopped";

/** What `start()` may do in each state. */
export function startDecision(state: RunnerState): "start" | "already-started" {
  return state === "idle" ? "start" : "already-started";
}
