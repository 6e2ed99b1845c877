import { injectable } from "inversify";
import ms from "ms";
import { validateDetailed } from "node-cron";
import {
  DuplicateGroupError,
  DuplicateJobError,
  InvalidJobConfigError,
  InvalidNameError,
  InvalidScheduleError,
  OrphanQueryError,
} from "./errors";

/** Per-job configuration, as in the seed plus `timezone` and `parallelism`. */
export interface JobConfig {
  /** Retries after a failed run (or item). Integer ≥ 0. @default 0 */
  retries?: number;
  /** Minimum wait before the first retry (doubles after); `ms` string or milliseconds. @default "10s" */
  timeout?: string | number;
  /** Upper bound of one run; the run holds a lock this long. `ms` string or ms. @default "1h" */
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

export const DEFAULT_JOB_CONFIG: ResolvedJobConfig = Object.freeze({
  retries: 0,
  timeout: 10_000,
  maxComputeTime: 3_600_000,
  timezone: undefined,
  parallelism: 1,
});

export const HOURLY = "0 * * * *";
export const DAILY = "0 0 * * *";
export const WEEKLY = "0 0 * * 0";
export const MONTHLY = "0 0 1 * *";

interface PendingJob {
  name: string;
  schedule: string;
  config: ResolvedJobConfig;
  method: string;
}
interface PendingClass {
  jobs: PendingJob[];
  queries: { name: string; method: string }[];
}

// Method decorators run before the class decorator, so they collect here keyed by class.
const pending = new Map<Function, PendingClass>();
const groups: CronGroup[] = [];

function pendingFor(ctor: Function): PendingClass {
  let p = pending.get(ctor);
  if (!p) {
    p = { jobs: [], queries: [] };
    pending.set(ctor, p);
  }
  return p;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function where(name: unknown, className: string, method: string): string {
  return `job ${show(name)} (${className}.${method})`;
}

function parseDuration(value: unknown, option: string, at: string): number {
  let out: number | undefined;
  if (typeof value === "number") out = value;
  else if (typeof value === "string" && value.trim() !== "") {
    const n = ms(value as ms.StringValue);
    out = typeof n === "number" ? n : undefined;
  }
  if (out === undefined || !Number.isFinite(out) || out <= 0) {
    throw new InvalidJobConfigError(
      `${at} has ${option} ${show(value)}: expected a positive duration such as "10s", "5m" or a number of milliseconds`,
    );
  }
  return out;
}

/** Validates a config and fills in defaults. Exported for the runner and for tests. */
export function resolveJobConfig(config: JobConfig | undefined, at: string): ResolvedJobConfig {
  if (config === undefined) return { ...DEFAULT_JOB_CONFIG };
  if (config === null || typeof config !== "object") {
    throw new InvalidJobConfigError(`${at} has config ${show(config)}: expected an object`);
  }
  const known = new Set(["retries", "timeout", "maxComputeTime", "timezone", "parallelism"]);
  for (const key of Object.keys(config)) {
    if (!known.has(key)) {
      throw new InvalidJobConfigError(
        `${at} has unknown config option ${show(key)}: expected one of ${[...known].join(", ")}`,
      );
    }
  }
  const out = { ...DEFAULT_JOB_CONFIG };
  if (config.retries !== undefined) {
    if (!Number.isInteger(config.retries) || config.retries < 0) {
      throw new InvalidJobConfigError(`${at} has retries ${show(config.retries)}: expected an integer ≥ 0`);
    }
    out.retries = config.retries;
  }
  if (config.timeout !== undefined) out.timeout = parseDuration(config.timeout, "timeout", at);
  if (config.maxComputeTime !== undefined) {
    out.maxComputeTime = parseDuration(config.maxComputeTime, "maxComputeTime", at);
  }
  if (config.timezone !== undefined) {
    let ok = typeof config.timezone === "string" && config.timezone !== "";
    if (ok) {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: config.timezone });
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      throw new InvalidJobConfigError(
        `${at} has timezone ${show(config.timezone)}: expected an IANA time zone such as "Europe/Berlin"`,
      );
    }
    out.timezone = config.timezone;
  }
  if (config.parallelism !== undefined) {
    if (!Number.isInteger(config.parallelism) || config.parallelism < 1) {
      throw new InvalidJobConfigError(
        `${at} has parallelism ${show(config.parallelism)}: expected an integer ≥ 1`,
      );
    }
    out.parallelism = config.parallelism;
  }
  return out;
}

/** Throws InvalidScheduleError unless node-cron accepts `schedule` (5 or 6 fields). */
export function validateSchedule(schedule: unknown, at: string): string {
  if (typeof schedule !== "string" || schedule.trim() === "") {
    throw new InvalidScheduleError(`${at} has schedule ${show(schedule)}: expected a cron expression`);
  }
  const result = validateDetailed(schedule);
  if (!result.valid) {
    const first = result.errors?.[0];
    const reason = first
      ? first.field === "expression"
        ? first.message
        : `${first.field} ${show(first.value)} is out of range or malformed (${rangeOf(first.field)})`
      : "not a valid cron expression";
    throw new InvalidScheduleError(`${at} has schedule ${show(schedule)}: ${reason}`);
  }
  return schedule;
}

function rangeOf(field: string): string {
  const ranges: Record<string, string> = {
    second: "second must be 0-59",
    minute: "minute must be 0-59",
    hour: "hour must be 0-23",
    day: "day of month must be 1-31",
    "day of month": "day of month must be 1-31",
    month: "month must be 1-12 or jan-dec",
    weekday: "weekday must be 0-7 or sun-sat",
    "day of week": "weekday must be 0-7 or sun-sat",
  };
  return ranges[field] ?? `${field} is invalid`;
}

function checkName(name: unknown, what: string, at: string): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new InvalidNameError(`${at} has ${what} name ${show(name)}: expected a non-empty string`);
  }
  return name;
}

function methodDecorator(name: string, schedule: string, config: JobConfig | undefined): MethodDecorator {
  return (target, propertyKey) => {
    const ctor = typeof target === "function" ? target : target.constructor;
    const method = String(propertyKey);
    const at = where(name, ctor.name, method);
    checkName(name, "job", at);
    validateSchedule(schedule, at);
    const resolved = resolveJobConfig(config, at);
    const p = pendingFor(ctor);
    const dup = p.jobs.find((j) => j.name === name);
    if (dup) {
      throw new DuplicateJobError(
        `${at}: ${ctor.name}.${dup.method} already declares job ${show(name)}; give one of them another name`,
      );
    }
    p.jobs.push({ name, schedule, config: resolved, method });
  };
}

/** A method that runs on `schedule` (node-cron, 5 or 6 fields). With a `@query` of the same name it handles one item. */
export function job(name: string, schedule: string, config?: JobConfig): MethodDecorator {
  return methodDecorator(name, schedule, config);
}
/** `@job(name, "0 * * * *", config)`: at minute 0 of every hour. */
export function hourly(name: string, config?: JobConfig): MethodDecorator {
  return methodDecorator(name, HOURLY, config);
}
/** `@job(name, "0 0 * * *", config)`: every day at midnight. */
export function daily(name: string, config?: JobConfig): MethodDecorator {
  return methodDecorator(name, DAILY, config);
}
/** `@job(name, "0 0 * * 0", config)`: Sundays at midnight. */
export function weekly(name: string, config?: JobConfig): MethodDecorator {
  return methodDecorator(name, WEEKLY, config);
}
/** `@job(name, "0 0 1 * *", config)`: the 1st of each month at midnight. */
export function monthly(name: string, config?: JobConfig): MethodDecorator {
  return methodDecorator(name, MONTHLY, config);
}

/** The method producing the items (array or async generator of arrays) for the `@job` of the same name. */
export function query(name: string): MethodDecorator {
  return (target, propertyKey) => {
    const ctor = typeof target === "function" ? target : target.constructor;
    const method = String(propertyKey);
    const at = `query ${show(name)} (${ctor.name}.${method})`;
    checkName(name, "query", at);
    const p = pendingFor(ctor);
    const dup = p.queries.find((q) => q.name === name);
    if (dup) {
      throw new DuplicateJobError(
        `${at}: ${ctor.name}.${dup.method} already declares query ${show(name)}; one job has one query`,
      );
    }
    p.queries.push({ name, method });
  };
}

/** Full job name: `group.name`, unless `name` already starts with `group.`. */
export function fullJobName(group: string, name: string): string {
  return name.startsWith(`${group}.`) ? name : `${group}.${name}`;
}

/**
 * Marks a class as a job group: makes it injectable and registers it for `JobRunner`.
 * Throws when a `@query` has no `@job` of its name.
 */
export function cron(group: string): ClassDecorator {
  return (target) => {
    const at = `group ${show(group)} (${target.name})`;
    checkName(group, "group", at);
    const p = pending.get(target) ?? { jobs: [], queries: [] };
    pending.delete(target);
    for (const q of p.queries) {
      if (!p.jobs.some((j) => j.name === q.name)) {
        throw new OrphanQueryError(
          `query ${show(q.name)} (${target.name}.${q.method}) has no @job named ${show(q.name)} in ${target.name}; add one or rename the query`,
        );
      }
    }
    const jobs: JobDefinition[] = p.jobs.map((j) => {
      const def: JobDefinition = {
        fullName: fullJobName(group, j.name),
        name: j.name,
        group,
        schedule: j.schedule,
        config: j.config,
        method: j.method,
        target,
      };
      const q = p.queries.find((x) => x.name === j.name);
      if (q) def.queryMethod = q.method;
      return def;
    });
    const seen = new Map<string, JobDefinition>();
    for (const j of jobs) {
      const prev = seen.get(j.fullName);
      if (prev) {
        throw new DuplicateJobError(
          `job ${show(j.fullName)} (${target.name}.${j.method}) clashes with ${target.name}.${prev.method}: both have the full name ${show(j.fullName)}`,
        );
      }
      seen.set(j.fullName, j);
    }
    injectable()(target as never);
    groups.push({ name: group, target, jobs });
  };
}

/** Every `@cron` class declared so far, in declaration order. */
export function getCronGroups(): readonly CronGroup[] {
  return groups;
}

/**
 * Checks the registered groups as a whole: two groups of one name, two jobs of one full name
 * across groups. The runner calls it at construction.
 */
export function assertNoClashes(list: readonly CronGroup[] = groups): void {
  const byGroup = new Map<string, CronGroup>();
  const byJob = new Map<string, JobDefinition>();
  for (const g of list) {
    const prev = byGroup.get(g.name);
    if (prev && prev.target !== g.target) {
      throw new DuplicateGroupError(
        `group ${show(g.name)} is declared by both ${prev.target.name} and ${g.target.name}; group names must be unique`,
      );
    }
    byGroup.set(g.name, g);
    for (const j of g.jobs) {
      const p = byJob.get(j.fullName);
      if (p && p !== j) {
        throw new DuplicateJobError(
          `job ${show(j.fullName)} is declared by both ${p.target.name}.${p.method} and ${j.target.name}.${j.method}; job names must be unique`,
        );
      }
      byJob.set(j.fullName, j);
    }
  }
}

/** Test helper: forget every registered group. */
export function clearCronRegistry(): void {
  groups.length = 0;
  pending.clear();
}
