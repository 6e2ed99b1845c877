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
  /**
   * Run ticks that no instance ran (missed) once, late, on one instance: those within `window`
   * before now, on start and at each claim. Off by default.
   */
  catchUp?: CatchUpConfig;
  /** With `catchUp`: also run once more a tick whose run crashed (its claimer died). @default false */
  rerunCrashed?: boolean;
}

/** Which missed ticks a job runs late (`@job(..., { catchUp })`). */
export interface CatchUpConfig {
  /** How far back a missed tick is still run: `ms` string or milliseconds, e.g. "6h". */
  window: string | number;
  /** `"latest"`: only the most recent missed tick; `"all"`: each, oldest first, up to `max`. */
  runs: "latest" | "all";
  /** With `runs: "all"`, at most this many (the latest) per catch-up. Integer ≥ 1. @default 10 */
  max?: number;
}

/** `CatchUpConfig` after validation. */
export interface ResolvedCatchUp {
  windowMs: number;
  runs: "latest" | "all";
  max: number;
}

/** A job's configuration after defaults and validation; durations in milliseconds. */
export interface ResolvedJobConfig {
  retries: number;
  timeout: number;
  maxComputeTime: number;
  timezone: string | undefined;
  parallelism: number;
  /** Absent when catch-up is off. */
  catchUp?: ResolvedCatchUp;
  /** Present (true) only when asked, with catchUp. */
  rerunCrashed?: boolean;
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
