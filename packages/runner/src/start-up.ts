import { getUndecoratedJobClasses, type JobDefinition } from "@octo/decorators";
import type { LoggerLike } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import type { RunnerKeys } from "./keys";

/** Writes the job list and each job's schedule, which status() and the dashboard read. */
export async function registerJobs(
  redis: Redis | Cluster,
  keys: RunnerKeys,
  defs: JobDefinition[],
): Promise<void> {
  // The job list and each job's hash live in different Cluster slots, so no MULTI here:
  // each write is idempotent and a partial one is completed by the next start.
  await Promise.all(
    defs.flatMap((def) => [
      redis.sadd(keys.jobs, def.fullName),
      redis.hset(keys.job(def.fullName), {
        schedule: def.schedule,
        timezone: def.config.timezone ?? "",
      }),
    ]),
  );
}

/** The line each scheduled job gets at start. */
export function logScheduled(
  logger: LoggerLike,
  def: JobDefinition,
  nextFire: Date | null | undefined,
): void {
  logger.info(
    {
      job: def.fullName,
      schedule: def.schedule,
      timezone: def.config.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      nextFireAt: nextFire?.toISOString() ?? null,
    },
    "scheduled job",
  );
}

/** Warns about what leaves jobs unscheduled without an error: no jobs at all, classes without @cron. */
export function warnAboutUnscheduled(logger: LoggerLike, jobCount: number): void {
  if (jobCount === 0) {
    logger.warn(
      "no @cron jobs are registered, so nothing is scheduled: import the modules that declare them before creating the JobRunner, and compile with experimentalDecorators",
    );
  }
  for (const className of getUndecoratedJobClasses()) {
    logger.warn(
      { class: className },
      `${className} has @job or @query methods but no @cron: its jobs are not scheduled; add @cron("group") to the class`,
    );
  }
}
