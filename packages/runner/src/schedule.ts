import type { JobDefinition } from "@octo/decorators";
import type { LoggerLike } from "@octo/internal";
import { createTask, type ScheduledTask, type TaskOptions } from "node-cron";
import { latestTicksBetween, type TicksBetween } from "./decisions";

/**
 * The next time `schedule` fires after now, read in `timezone`; `null` when it never fires. A
 * throwaway node-cron task, never started, answers it: a stopped task's getNextRun() is always
 * null, its time matcher is not.
 */
export function nextFireAt(schedule: string, timezone: string | undefined): Date | null {
  const task = createTask(schedule, () => {}, timezone ? { timezone } : {});
  try {
    return task.getNextRuns(1)[0] ?? null;
  } catch {
    return null;
  } finally {
    void task.destroy();
  }
}

/**
 * The latest ticks of `schedule` (read in `timezone`) strictly between two instants, with
 * node-cron's own next-fire logic (the matcher its tasks fire by); see `latestTicksBetween`.
 */
export function ticksBetween(
  schedule: string,
  timezone: string | undefined,
  afterMs: number,
  beforeMs: number,
  cap: number,
): TicksBetween {
  const task = createTask(schedule, () => {}, timezone ? { timezone } : {});
  try {
    const matcher = (task as unknown as { timeMatcher?: { getNextMatch?(d: Date): Date } }).timeMatcher;
    const next = matcher?.getNextMatch
      ? (d: Date) => (matcher.getNextMatch as (d: Date) => Date).call(matcher, d)
      : // A node-cron without the matcher: step second by second with the public match().
        (d: Date) => {
          for (let t = Math.floor(d.getTime() / 1000) * 1000 + 1000; t < beforeMs; t += 1000) {
            if (task.match(new Date(t))) return new Date(t);
          }
          return null;
        };
    return latestTicksBetween(next, afterMs, beforeMs, cap);
  } finally {
    void task.destroy();
  }
}

/** node-cron's own messages (a missed fire, a failed task) go to the runner's logger, never the console. */
function cronLogger(logger: LoggerLike, job: string): NonNullable<TaskOptions["logger"]> {
  return {
    info: (message) => logger.info({ job }, String(message)),
    warn: (message) => logger.warn({ job }, String(message)),
    error: (message, err) => logger.error({ job, err }, String(message)),
    debug: (message, err) => logger.debug({ job, err }, String(message)),
  };
}

/**
 * One node-cron task per job. It only decides when a fire is due and hands its date to `onFire`;
 * it holds no execution state, so nothing a run does can touch it.
 */
export class JobSchedules {
  private readonly tasks = new Map<string, ScheduledTask>();

  constructor(private readonly logger: LoggerLike) {}

  /** Creates and starts the task of `def`. */
  async start(def: JobDefinition, onFire: (date: Date) => void): Promise<void> {
    const options: TaskOptions = {
      name: def.fullName,
      logger: cronLogger(this.logger, def.fullName),
    };
    if (def.config.timezone) options.timezone = def.config.timezone;
    const task = createTask(def.schedule, (ctx) => onFire(ctx.date), options);
    // A fire node-cron saw too late (the event loop was blocked past its time) is still claimed,
    // late: with the claim being "T is later than the mark", an instance that skipped T and then
    // claimed T+1 would leave T to nobody. node-cron reports missed slots before the next one it
    // runs, so the claims reach Redis in order.
    task.on("execution:missed", (ctx) => {
      this.logger.warn(
        { job: def.fullName, scheduledAt: ctx.date.toISOString() },
        "missed a fire on time: the event loop was blocked past it; claiming it now, late",
      );
      onFire(ctx.date);
    });
    this.tasks.set(def.fullName, task);
    await task.start();
  }

  /** The next fire of a started job, or `null`. */
  nextFire(def: JobDefinition): Date | null {
    return this.tasks.get(def.fullName)?.getNextRun() ?? nextFireAt(def.schedule, def.config.timezone);
  }

  /** Stops and forgets the tasks of `names` (every task when absent). */
  async stop(names?: Iterable<string>): Promise<void> {
    for (const name of names ?? [...this.tasks.keys()]) {
      const task = this.tasks.get(name);
      if (!task) continue;
      this.tasks.delete(name);
      await task.stop();
      await task.destroy();
    }
  }
}
