import type { Cluster, Redis } from "ioredis";
import { InvalidRunnerArgumentError, RunnerNotStartedError, UnknownJobError } from "./errors";
import type { JobTable } from "./job-table";
import type { RunnerKeys } from "./keys";
import { readHistory } from "./ledger";
import { AN_IOREDIS_CLIENT, hasMethods, historyLimitOf } from "./options";
import { readStatus } from "./status";
import type { HistoryEntry, JobStatus } from "./types";

/** `status(redis)`: checks the client it is given (or the runner's), then reads every job's status. */
export async function statusOf(redis: Redis | Cluster | undefined, keys: RunnerKeys): Promise<JobStatus[]> {
  if (!redis) throw new RunnerNotStartedError("status()");
  if (!hasMethods(redis, ["smembers", "hgetall", "lindex"])) {
    throw new InvalidRunnerArgumentError("redis", redis, AN_IOREDIS_CLIENT);
  }
  return readStatus(redis, keys);
}

/** What `history(job, options)` reads with: the runner's jobs, client (once started) and keys. */
export interface HistorySource {
  jobs: JobTable;
  redis: Redis | Cluster | undefined;
  keys: RunnerKeys;
  historyLimit: number;
}

/**
 * `history(job, options)`: checks the name, the job and the limit, in that order, then reads the
 * newest entries. Every failure rejects, so callers have one error path.
 */
export function historyOf(source: HistorySource, job: unknown, options: unknown): Promise<HistoryEntry[]> {
  const { jobs, redis, keys } = source;
  if (typeof job !== "string") return Promise.reject(jobs.badName(job));
  if (!jobs.find(job)) return Promise.reject(new UnknownJobError(job, jobs.names));
  const limit = historyLimitOf(options, source.historyLimit);
  if (limit instanceof Error) return Promise.reject(limit);
  if (!redis) return Promise.reject(new RunnerNotStartedError(`history(${JSON.stringify(job)})`));
  return readHistory(redis, keys, job, limit);
}
