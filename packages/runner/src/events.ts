import type { QueueEvents } from "@octo/redis-queue";
import type { RunTrigger } from "./types";

/** What every event of one run carries. */
interface RunEventBase {
  /** The job's full name. */
  job: string;
  /** The tick T (for `run()`, the second it was called; for a catch-up, the missed tick). */
  scheduledAt: Date;
  trigger: RunTrigger;
  /** The instance that emits: the one running it. */
  instance: string;
}

/**
 * The events a `JobRunner` emits, by name, each with its payload (`runner.on(name, listener)`).
 * Each instance emits what it did itself.
 */
export interface JobRunnerEvents {
  /** This instance holds the tick and the job's run lease; the handler or query starts now. */
  "run:started": RunEventBase & { startedAt: Date };
  /** Once per `run:started`, after the outcome is known (and recorded, best effort). */
  "run:finished": RunEventBase & {
    startedAt: Date;
    endedAt: Date;
    durationMs: number;
    outcome: "succeeded" | "failed";
    /** How many attempts ran. */
    attempts: number;
    /** What failed, whatever was thrown, when `outcome` is `failed`. */
    error?: string;
  };
  /** An attempt failed and another follows after `delayMs`. */
  "run:retrying": RunEventBase & { attempt: number; error: string; delayMs: number };
  /**
   * This instance claimed the tick but did not run it: the previous run held the job
   * (`overlap`), or the runner stopped while the run waited for it (`stopping`).
   */
  "tick:skipped": RunEventBase & { reason: "overlap" | "stopping" };
  /**
   * This instance found a gap of ticks no instance claimed (one event per gap). `count` may
   * exceed `ticks.length` when the earliest ticks were not listed.
   */
  "tick:missed": { job: string; ticks: Date[]; count: number; instance: string };
  /** This instance recorded a tick `crashed`: the run's claimer `claimedBy` died. */
  "tick:crashed": { job: string; scheduledAt: Date; instance: string; claimedBy: string };
  /** Forwarded from the queue of a query job, as this instance's worker emitted it (`queue` is the job). */
  "item:processed": QueueEvents["item:processed"];
  "item:failed": QueueEvents["item:failed"];
  "item:dead-lettered": QueueEvents["item:dead-lettered"];
  "item:stalled": QueueEvents["item:stalled"];
}

/** The item events a runner forwards from its query jobs' queues. */
export const FORWARDED_EVENT_NAMES = [
  "item:processed",
  "item:failed",
  "item:dead-lettered",
  "item:stalled",
] as const satisfies readonly (keyof QueueEvents & keyof JobRunnerEvents)[];

/** Every runner event name, for the emitter's check of names. */
export const RUNNER_EVENT_NAMES: readonly (keyof JobRunnerEvents)[] = [
  "run:started",
  "run:finished",
  "run:retrying",
  "tick:skipped",
  "tick:missed",
  "tick:crashed",
  ...FORWARDED_EVENT_NAMES,
];
