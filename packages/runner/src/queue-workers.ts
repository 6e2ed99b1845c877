import type { JobDefinition } from "@octo/decorators";
import { childLogger, describeThrown, type LoggerLike } from "@octo/internal";
import type { RedisQueue } from "@octo/redis-queue";
import { workerRestartDelayMs } from "./decisions";
import type { JobTarget } from "./targets";
import type { JobContext } from "./types";

/** What the workers need from the runner, per job. */
export interface QueueWorkersHost {
  readonly instanceId: string;
  readonly logger: LoggerLike;
  queueOf(def: JobDefinition): RedisQueue<unknown>;
  /** Builds the job's class; throws `JobClassUnresolvableError`. */
  targetOf(def: JobDefinition): JobTarget;
  /** The T of the fill whose items are in the queue now. */
  fillScheduledAt(def: JobDefinition, logger: LoggerLike): Promise<Date>;
}

interface WorkerSlot {
  /** Settles (never rejects) when this worker loop has ended. */
  done: Promise<void>;
  stop: AbortController;
  /** Someone asked for a worker while this one ran: it may have been closing, so start again. */
  askedAgain: boolean;
}

interface JobWorkers {
  current?: WorkerSlot;
  restartTimer?: NodeJS.Timeout;
  failures: number;
  stopped: boolean;
}

/**
 * The one owner of every queue worker this instance runs: at most one loop per job, each loop's
 * promise handled where it is created (a Redis outage or READONLY is logged and the worker is
 * restarted with backoff, never an unhandled rejection), and a request that comes while a loop is
 * closing starts a new loop after it.
 */
export class QueueWorkers {
  private readonly jobs = new Map<string, JobWorkers>();

  constructor(private readonly host: QueueWorkersHost) {}

  private state(def: JobDefinition): JobWorkers {
    let s = this.jobs.get(def.fullName);
    if (!s) {
      s = { failures: 0, stopped: false };
      this.jobs.set(def.fullName, s);
    }
    return s;
  }

  /** Works the job's queue on this instance unless a loop already does. Never throws. */
  ensure(def: JobDefinition): void {
    const s = this.state(def);
    if (s.stopped) return;
    if (s.current) {
      s.current.askedAgain = true;
      return;
    }
    clearTimeout(s.restartTimer);
    s.restartTimer = undefined;
    const logger = childLogger(this.host.logger, { job: def.fullName });
    let target: JobTarget;
    try {
      target = this.host.targetOf(def);
    } catch (err) {
      // This instance cannot handle the job's items; the other instances can, and the items wait in Redis.
      logger.error({ err: describeThrown(err) }, "cannot work the job's queue on this instance");
      return;
    }
    const stop = new AbortController();
    const slot: WorkerSlot = { stop, askedAgain: false, done: Promise.resolve() };
    slot.done = this.work(def, target, logger, stop.signal).then(
      () => {
        s.failures = 0;
      },
      (err: unknown) => {
        s.failures++;
        const delay = workerRestartDelayMs(s.failures);
        logger.error(
          { err: describeThrown(err), restartInMs: delay },
          "queue worker failed; its items stay in Redis and it restarts",
        );
        if (!s.stopped) {
          s.restartTimer = setTimeout(() => {
            s.restartTimer = undefined;
            this.ensure(def);
          }, delay);
        }
      },
    );
    s.current = slot;
    void slot.done.then(() => {
      s.current = undefined;
      if (slot.askedAgain && !s.stopped && s.failures === 0) this.ensure(def);
    });
  }

  /** Resolves once no worker of the job runs on this instance (including restarts asked meanwhile). */
  async join(def: JobDefinition): Promise<void> {
    const s = this.state(def);
    while (s.current) await s.current.done;
  }

  /** Stops the workers of `defs`: items in hand finish, no new ones are taken. Resolves when they ended. */
  async stop(defs: Iterable<JobDefinition>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const def of defs) {
      const s = this.state(def);
      s.stopped = true;
      clearTimeout(s.restartTimer);
      s.restartTimer = undefined;
      if (s.current) {
        s.current.stop.abort(new Error("job stopped"));
        waits.push(s.current.done);
      }
    }
    await Promise.all(waits);
  }

  private async work(
    def: JobDefinition,
    target: JobTarget,
    logger: LoggerLike,
    signal: AbortSignal,
  ): Promise<void> {
    const handler = target[def.method] as (item: unknown, ctx: JobContext) => unknown;
    const { instanceId } = this.host;
    // The fill's T, read once per stretch of handlers running without a gap: a new fill begins
    // only once the queue is empty, and an item in hand keeps it from being empty.
    let running = 0;
    let scheduledAt: Promise<Date> | undefined;
    await this.host.queueOf(def).work(
      async (item, w) => {
        running++;
        try {
          scheduledAt ??= this.host.fillScheduledAt(def, logger);
          await handler.call(target, item, {
            job: def.fullName,
            scheduledAt: await scheduledAt,
            // Items carry their fill's T, not whether that fill was a catch-up.
            catchUp: false,
            attempt: w.attempt,
            // A getter: the queue makes an item's signal only when someone asks for it.
            get signal() {
              return w.signal;
            },
            logger,
            instanceId,
          });
        } finally {
          if (--running === 0) scheduledAt = undefined;
        }
      },
      { logger, parallelism: def.config.parallelism, signal },
    );
  }
}

/**
 * Works a queue left with items by an earlier run. A read that fails (Redis unreachable,
 * READONLY) starts the worker anyway, whose own failures are owned and logged. Never rejects.
 */
export async function resumeLeftOver(
  queue: RedisQueue<unknown>,
  logger: LoggerLike,
  def: JobDefinition,
  /** Starts the worker unless the runner stopped meanwhile. */
  work: () => void,
): Promise<void> {
  try {
    const s = await queue.stats();
    if (s.pending + s.inFlight + s.delayed === 0) return;
    logger.info({ job: def.fullName, ...s }, "resuming queue left with items");
  } catch (err) {
    logger.warn(
      { job: def.fullName, err: describeThrown(err) },
      "could not read the queue at start; working it",
    );
  }
  work();
}
