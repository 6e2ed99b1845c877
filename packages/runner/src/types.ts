import type { LoggerLike, Telemetry } from "@octo/internal";
import type { TickOutcome } from "@octo/state";

/** Options of `new JobRunner(container, options)`. */
export interface JobRunnerOptions {
  /** Key prefix in Redis, shared with the lock and the queues. @default "octo" */
  prefix?: string;
  /** This instance's id in claims, leases, logs and status. @default `<hostname>-<pid>-<random>` */
  instanceId?: string;
  /**
   * Minimum TTL in ms of the record of who claimed a tick (kept max(maxComputeTime, this)).
   * Once-per-tick does not depend on it: the job's high-water mark never expires. @default 60000
   */
  minClaimTtl?: number;
  /**
   * How long a claimed fire waits for the job's run lease before it is skipped as an overlap.
   * Covers a fast run of another tick that holds the job at the same instant (clocks apart).
   * @default 1000
   */
  lockWaitMs?: number;
  /**
   * Period of a run's lease on its job, in ms or an `ms` string. The lease is renewed every third
   * of it while the run lives, so a run whose process died (SIGKILL, lost host) frees its job
   * after at most this long. At least 1 s. @default "10s"
   */
  runLease?: string | number;
  /** How many outcomes each job keeps in its history in Redis (a positive integer). @default 100 */
  historyLimit?: number;
  /**
   * Traces each run in an `octo.job.run` span and each queue item in an `octo.queue.item` span,
   * with the handler's own spans as children, and item spans on any instance as children of the
   * run whose query filled the queue: pass `openTelemetry()` from `@octo/metrics`. Default none:
   * no span, and the runner works exactly as without it.
   */
  telemetry?: Telemetry;
}

/** What a handler receives (a query job's handler gets the item first), and what a `@query` gets. */
export interface JobContext {
  job: string;
  /**
   * The fire's scheduled time T. A query job's item handler gets the T of the fire (or `run()`)
   * whose query filled the queue, whichever instance handles the item.
   */
  scheduledAt: Date;
  /** True when this run is a missed (or crashed) tick run late, `scheduledAt` being that tick. */
  catchUp: boolean;
  /** 1-based */
  attempt: number;
  /** Fires when the run passes maxComputeTime or the runner stops. */
  signal: AbortSignal;
  logger: LoggerLike;
  instanceId: string;
}

/**
 * How a run ended. `skipped`: the previous run still held the job (or the runner stopped while
 * this run waited for it); `not-claimed`: another instance claimed the fire.
 */
export type RunOutcome = "succeeded" | "failed" | "skipped" | "not-claimed";

/** The result of one run (or fire) as `run()` resolves it. */
export interface RunResult {
  job: string;
  scheduledAt: Date;
  outcome: RunOutcome;
  instance: string;
  durationMs: number;
  /** A readable description of what failed, whatever was thrown. */
  error?: string;
}

/** Last run as stored in Redis. */
export interface LastRun {
  scheduledAt: Date;
  startedAt: Date;
  endedAt: Date;
  instance: string;
  outcome: RunOutcome;
  error?: string;
}

// Defined beside the code that reads the history, which the CLI shares.
export type { HistoryEntry, RunTrigger, TickOutcome } from "@octo/state";

/** Options of `runner.history(job, options)`. */
export interface HistoryOptions {
  /** How many entries, newest first (a positive integer). @default the runner's historyLimit */
  limit?: number;
}

/** One job in `status()`. */
export interface JobStatus {
  job: string;
  schedule: string;
  timezone?: string;
  /** The next time the schedule fires, in its time zone, from now. */
  nextFireAt: Date | null;
  lastRun: LastRun | null;
  /** Outcome of the newest entry of the job's history (any outcome), or `null` when it has none. */
  lastOutcome: TickOutcome | null;
  /** How many ticks ended in each outcome since the job's first, on every instance. */
  counts: Record<TickOutcome, number>;
}
