import { MAX_TIMER_DELAY_MS, MONTH_NAMES } from "@octo/internal";
import ms from "ms";
import { validateDetailed } from "node-cron";
import { InvalidJobConfigError, InvalidNameError, InvalidScheduleError } from "./errors";
import type { JobConfig, ResolvedJobConfig } from "./types";
import { resolveCatchUp } from "./validate-catch-up";

export const DEFAULT_JOB_CONFIG: ResolvedJobConfig = Object.freeze({
  retries: 0,
  timeout: 10_000,
  maxComputeTime: 3_600_000,
  timezone: undefined,
  parallelism: 1,
});

/** A value as a message shows it: strings quoted, numbers as written (`Infinity`, `NaN`). */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "bigint")
    return typeof value === "bigint" ? `${value}n` : String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function parseDuration(
  value: unknown,
  option: string,
  at: string,
  max = Number.MAX_SAFE_INTEGER,
  why = "",
): number {
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
  if (out > max) {
    throw new InvalidJobConfigError(
      `${at} has ${option} ${show(value)}: too long, at most ${max} ms (${ms(max, { long: true })})${why}`,
    );
  }
  return Math.ceil(out);
}

/** Validates a config and fills in defaults. Exported for the runner and for tests. */
export function resolveJobConfig(config: JobConfig | undefined, at: string): ResolvedJobConfig {
  if (config === undefined) return { ...DEFAULT_JOB_CONFIG };
  if (config === null || typeof config !== "object") {
    throw new InvalidJobConfigError(`${at} has config ${show(config)}: expected an object`);
  }
  const known = new Set([
    "retries",
    "timeout",
    "maxComputeTime",
    "timezone",
    "parallelism",
    "catchUp",
    "rerunCrashed",
  ]);
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
  // Both drive Node.js timers, which fire at once for any delay above 2^31-1 ms.
  const timerReason = ": it drives a Node.js timer, which fires at once for anything longer";
  if (config.timeout !== undefined) {
    out.timeout = parseDuration(config.timeout, "timeout", at, MAX_TIMER_DELAY_MS, timerReason);
  }
  if (config.maxComputeTime !== undefined) {
    out.maxComputeTime = parseDuration(
      config.maxComputeTime,
      "maxComputeTime",
      at,
      MAX_TIMER_DELAY_MS,
      timerReason,
    );
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
  Object.assign(
    out,
    resolveCatchUp(config, at, (value, option) => parseDuration(value, option, at)),
  );
  return out;
}

const RANGES: Record<string, string> = {
  second: "second must be 0-59",
  minute: "minute must be 0-59",
  hour: "hour must be 0-23",
  dayOfMonth: "day of month must be 1-31",
  month: "month must be 1-12 or jan-dec",
  dayOfWeek: "weekday must be 0-7 or sun-sat",
};
const FIELD_NAMES: Record<string, string> = { dayOfMonth: "day of month", dayOfWeek: "weekday" };

/**
 * Throws InvalidScheduleError unless node-cron accepts `schedule` (5 or 6 fields). The message
 * names the field, its allowed range, and says when a date can never occur (Feb 31).
 */
export function validateSchedule(schedule: unknown, at: string): string {
  if (typeof schedule !== "string" || schedule.trim() === "") {
    throw new InvalidScheduleError(
      `${at} has schedule ${show(schedule)}: expected a cron expression string of 5 or 6 fields, such as "0 * * * *"`,
    );
  }
  const result = validateDetailed(schedule);
  if (result.valid) return schedule;
  const first = result.errors?.[0];
  let reason = 'not a valid cron expression: expected 5 or 6 fields, such as "0 * * * *"';
  if (first?.field === "expression") reason = first.message;
  else if (first && /impossible day of month/.test(first.message)) {
    const [day, month] = String(first.value ?? first.message).split(/\s+/);
    const monthName = MONTH_NAMES[Number(schedule.trim().split(/\s+/).at(-2)) - 1] ?? `month ${month ?? "?"}`;
    reason = `${monthName} ${day} never occurs, so the job would never run: pick a day that exists in every month it names (${RANGES.dayOfMonth}, and at most 29 in February, 30 in April, June, September and November)`;
  } else if (first) {
    reason = `${FIELD_NAMES[first.field] ?? first.field} ${show(first.value)} is not valid: ${RANGES[first.field] ?? `${first.field} is invalid`}`;
  }
  throw new InvalidScheduleError(`${at} has schedule ${show(schedule)}: ${reason}`);
}

/** Throws InvalidNameError unless `name` is a non-empty string. */
export function checkName(name: unknown, what: string, at: string): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new InvalidNameError(`${at} has ${what} name ${show(name)}: expected a non-empty string`);
  }
  return name;
}
