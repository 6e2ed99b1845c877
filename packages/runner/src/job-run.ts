import type { JobDefinition } from "@octo/decorators";
import {
  childLogger,
  describeThrown,
  type LoggerLike,
  MAX_TIMER_DELAY_MS,
  type TypedEmitter,
} from "@octo/internal";
import type { RedisQueue } from "@octo/redis-queue";
import type { Cluster, Redis } from "ioredis";
import { claimTtlMs, retryDelayMs, runLeasePeriodMs, shouldRetry } from "./decisions";
import type { JobRunnerEvents } from "./events";
import { claimTick, type RunnerKeys } from "./keys";
import { type InProgressRecord, inProgressRecord, recordFinishedRun } from "./ledger";
import { recordCrashes, recordGap } from "./lost-ticks";
import { runQueryFill } from "./query-fill";
import type { QueueWorkers } from "./queue-workers";
import { type RunLease, takeRunLease } from "./run-lease";
import { abortableSleep } from "./sleep";
import type { JobTarget } from "./targets";
import type { JobContext, RunOutcome, RunResult, RunTrigger } from "./types";

/** What one run needs from the runner; the run owns nothing of the runner's state. */
export interface RunHost {
  readonly redis: Redis | Cluster;
  readonly keys: RunnerKeys;
  readonly instanceId: string;
  readonly logger: LoggerLike;
  /** Whether `logger` carries the instance already (made with child()). */
  readonly instanceBound: boolean;
  readonly minClaimTtl: number;
  readonly lockWaitMs: number;
  readonly runLeaseMs: number;
  readonly historyLimit: number;
  readonly workers: QueueWorkers;
  readonly events: TypedEmitter<JobRunnerEvents>;
  targetOf(def: JobDefinition): JobTarget;
  queueOf(def: JobDefinition): RedisQueue<unknown>;
  /**
   * Registers a run's controller so `stop()` aborts it; answers the function that unregisters it.
   * One set of controllers instead of one listener per run on a shared signal: any number of
   * concurrent runs, no MaxListenersExceededWarning.
   */
  enterRun(controller: AbortController): () => void;
  /** Called after each claim of a scheduled tick: the job may have ticks to catch up. */
  afterClaim(def: JobDefinition): void;
}

/**
 * One run of a job at T: claim the tick (scheduled fires only), take the job's run lease, build
 * the class, run the handler or the query with retries, record the outcome. Never rejects: every
 * failure, whatever was thrown, ends in a `failed` result, and the lease, the timer and the
 * stop registration are released in `finally`.
 */
export async function executeRun(
  host: RunHost,
  def: JobDefinition,
  T: number,
  trigger: RunTrigger,
): Promise<RunResult> {
  const job = def.fullName;
  const scheduledAt = new Date(T);
  const at = scheduledAt.toISOString();
  const result = (outcome: RunOutcome, durationMs = 0, error?: string): RunResult => ({
    job,
    scheduledAt,
    outcome,
    instance: host.instanceId,
    durationMs,
    ...(error !== undefined ? { error } : {}),
  });
  // One id for the run: the owner of its lease and the key of its in-progress record.
  const runId = `${host.instanceId}:${T}:${Math.random().toString(36).slice(2, 8)}`;
  const record: InProgressRecord = {
    T,
    instance: host.instanceId,
    claimedAt: Date.now(),
    trigger,
  };
  if (trigger !== "run") {
    let claimed: boolean;
    try {
      const claim = await claimTick(
        host.redis,
        host.keys,
        job,
        trigger === "catch-up",
        T,
        host.instanceId,
        claimTtlMs(def.config.maxComputeTime, host.minClaimTtl),
        runId,
        inProgressRecord(record),
      );
      claimed = claim.claimed;
      if (claimed && trigger === "schedule") {
        // All three never reject; they run alongside this run (same connection, so a gap's
        // missed ticks reach the history before this tick's outcome).
        if (claim.mark !== null && T - claim.mark > 1000) void recordGap(host, def, claim.mark, T);
        void recordCrashes(host, def);
        host.afterClaim(def);
      }
    } catch (err) {
      const error = describeThrown(err);
      host.logger.error(
        { job, scheduledAt: at, err: error },
        "could not claim the tick; it did not run here",
      );
      return result("failed", 0, error);
    }
    if (!claimed) {
      if (trigger === "catch-up") return result("not-claimed");
      // Every instance works a query job's queue when the tick fires, claimed or not.
      if (def.queryMethod) host.workers.ensure(def);
      return result("not-claimed");
    }
  } else {
    try {
      await host.redis.hset(host.keys.running(job), runId, inProgressRecord(record));
    } catch (err) {
      // The run goes on; only its history entry is lost (there is no record to finish).
      host.logger.error({ job, err: describeThrown(err) }, "could not record the run in progress");
    }
  }
  const controller = new AbortController();
  const leaveRun = host.enterRun(controller);
  const logger = childLogger(host.logger, { job, scheduledAt: at });
  const startedAt = Date.now();
  let lease: RunLease | null = null;
  let overrun: NodeJS.Timeout | undefined;
  let outcome: "succeeded" | "failed" | "skipped" = "succeeded";
  let error: string | undefined;
  const base = { job, scheduledAt, trigger, instance: host.instanceId };
  // Set when the handler starts: what run:started and run:finished report.
  let began: Date | undefined;
  const attempts = { ran: 0 };
  try {
    lease = await takeRunLease({
      redis: host.redis,
      prefix: host.keys.prefix,
      name: host.keys.runLease(job),
      owner: runId,
      periodMs: runLeasePeriodMs(host.runLeaseMs, def.config.maxComputeTime),
      waitMs: host.lockWaitMs,
      signal: controller.signal,
      logger,
    });
    if (lease) {
      overrun = setTimeout(
        () => {
          logger.warn(
            { maxComputeTime: def.config.maxComputeTime },
            "run passed maxComputeTime; its signal was aborted",
          );
          controller.abort(new Error(`job ${job} passed maxComputeTime`));
        },
        Math.min(def.config.maxComputeTime, MAX_TIMER_DELAY_MS),
      );
      began = new Date();
      host.events.emit("run:started", { ...base, startedAt: began });
      const onRetry = (attempt: number, err: string, delayMs: number) =>
        host.events.emit("run:retrying", { ...base, attempt, error: err, delayMs });
      await runBody(
        host,
        def,
        scheduledAt,
        trigger === "catch-up",
        controller.signal,
        logger,
        attempts,
        onRetry,
      );
    } else {
      outcome = "skipped";
      host.events.emit("tick:skipped", {
        ...base,
        reason: controller.signal.aborted ? "stopping" : "overlap",
      });
      host.logger.warn(
        { job, scheduledAt: at },
        controller.signal.aborted
          ? "skipped: the runner stopped while the run waited for its job"
          : "skipped: the previous run still holds the job",
      );
    }
  } catch (err) {
    outcome = "failed";
    error = describeThrown(err);
  } finally {
    clearTimeout(overrun);
    leaveRun();
  }
  const endedAt = Date.now();
  try {
    // Recorded while the lease is still held: a crash check that sees the lease free finds the
    // outcome recorded already, never a finished run without one.
    const recorded = await recordFinishedRun(host.redis, host.keys, host.historyLimit, {
      job,
      runId,
      record,
      outcome,
      endedAt,
      ...(error !== undefined ? { error } : {}),
    });
    if (!recorded) {
      logger.warn(
        { outcome },
        "the run's outcome was not recorded: it had been recorded as crashed (its lease had expired)",
      );
    }
  } catch (err) {
    host.logger.error({ err: describeThrown(err), job }, "could not record the run");
  } finally {
    await lease?.release();
  }
  if (outcome === "skipped") return result("skipped");
  if (began) {
    host.events.emit("run:finished", {
      ...base,
      startedAt: began,
      endedAt: new Date(endedAt),
      durationMs: endedAt - began.getTime(),
      outcome,
      attempts: attempts.ran,
      ...(error !== undefined ? { error } : {}),
    });
  }
  const fields: Record<string, unknown> = { job, scheduledAt: at, durationMs: endedAt - startedAt, outcome };
  // A logger with child() already carries the instance; a plain one gets it here.
  if (!host.instanceBound) fields.instance = host.instanceId;
  if (outcome === "failed") host.logger.error({ ...fields, error }, "job run failed");
  else host.logger.info(fields, "job run finished");
  return result(outcome, endedAt - startedAt, error);
}

/** Builds the class and runs the handler (or the query and its queue) under the run's signal. */
async function runBody(
  host: RunHost,
  def: JobDefinition,
  scheduledAt: Date,
  catchUp: boolean,
  signal: AbortSignal,
  logger: LoggerLike,
  attempts: { ran: number },
  onRetry: RetryListener,
): Promise<void> {
  const target = host.targetOf(def);
  const context: Omit<JobContext, "attempt"> = {
    job: def.fullName,
    scheduledAt,
    catchUp,
    signal,
    logger,
    instanceId: host.instanceId,
  };
  const withRetries = <R>(fn: (attempt: number) => Promise<R>) =>
    retrying(
      def,
      signal,
      logger,
      (attempt) => {
        attempts.ran = attempt;
        return fn(attempt);
      },
      onRetry,
    );
  if (def.queryMethod) {
    await runQueryFill({
      def,
      target,
      queue: host.queueOf(def),
      workers: host.workers,
      redis: host.redis,
      fillKey: host.keys.fill(def.fullName),
      context,
      withRetries,
      logger,
    });
    return;
  }
  const handler = target[def.method] as (ctx: JobContext) => unknown;
  await withRetries(async (attempt) => {
    await handler.call(target, { ...context, attempt });
  });
}

/** Told of each failed attempt that another follows, after `delayMs`. */
type RetryListener = (attempt: number, error: string, delayMs: number) => void;

/** Runs `fn` until it succeeds, the job's retries are used up, or the signal aborts. */
async function retrying<R>(
  def: JobDefinition,
  signal: AbortSignal,
  logger: LoggerLike,
  fn: (attempt: number) => Promise<R>,
  onRetry: RetryListener,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!shouldRetry(attempt, def.config.retries, signal.aborted)) throw err;
      const wait = retryDelayMs(def.config.timeout, attempt);
      const error = describeThrown(err);
      logger.warn({ err: error, attempt, retryInMs: wait }, "attempt failed; retrying");
      onRetry(attempt, error, wait);
      await abortableSleep(wait, signal);
      if (signal.aborted) throw err;
    }
  }
}
