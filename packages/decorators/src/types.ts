/** Per-job configuration, as in the seed plus `timezone` and `parallelism`. */
export interface JobConfig {
  /** Retries after a failed run (or item). Integer ≥ 0. @default 0 */
  retries?: number;
  /** Minimum wait before the first retry (doubles after); `ms` string or milliseconds, at most 2^31-1 ms. @default "10s" */
  timeout?: string | number;
  /**
   * Upper bound of one run: a run still going then gets its signal aborted and a warning logged.
   * `ms` string or milliseconds, at most 2^31-1 ms (about 24.8 days). @default "1h"
   */
  maxComputeTime?: string | number;
  /** IANA time zone the schedule is read in (e.g. "Europe/Berlin"). @default the process zone */
  timezone?: string;
  /** Queue workers per instance for a query job. Integer ≥ 1. @default 1 */
  parallelism?: number;
}

/** A job's configuration after defaults and validation; durations in milliseconds. */
export interface ResolvedJobConfig {
  retries: number;
  timeout: number;
  maxComputeTime: number;
  timezone: string | undefined;
  parallelism: number;
}

/** One `@job` as the runner sees it. */
export interface JobDefinition {
  /** `group.name` */
  fullName: string;
  /** The name given to `@job`. */
  name: string;
  group: string;
  schedule: string;
  config: ResolvedJobConfig;
  /** Method name of the handler. */
  method: string;
  /** Method name of the paired `@query`, if any. */
  queryMethod?: string;
  target: Function;
}

/** One `@cron` class. */
export interface CronGroup {
  name: string;
  target: Function;
  jobs: JobDefinition[];
}
