import ms from "ms";
import { InvalidArgumentError } from "./invalid-argument-error";
import { show } from "./show";

/** A duration as the `ms` package reads it (`"30s"`, `"5m"`) or a number of milliseconds. */
export type Duration = string | number;

/**
 * The longest delay a Node.js timer honours: `setTimeout` fires at once (after 1 ms) for any
 * longer delay. A duration that drives a timer is checked against it, or scheduled in steps.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface ParseDurationOptions {
  /** Accept 0 (for example a retry delay). Default: the duration must be at least 1 ms. */
  allowZero?: boolean;
  /**
   * The largest accepted value, in milliseconds, after rounding; default
   * `Number.MAX_SAFE_INTEGER`. Pass `MAX_TIMER_DELAY_MS` for a duration that drives a timer.
   */
  max?: number;
  /** Why the maximum exists, appended to its error ("it drives a Node.js timer"). */
  maxReason?: string;
}

/**
 * Parses a duration once, at the edge: a finite number of milliseconds or an `ms` string.
 * The result is a whole number of milliseconds, rounded up, so a fractional or computed value
 * never reaches Redis (whose PX, PEXPIRE and ZADD scores of deadlines take integers) and never
 * becomes a zero-length period. Anything else throws `InvalidArgumentError` naming `argument`.
 */
export function parseDuration(
  argument: string,
  value: unknown,
  { allowZero = false, max = Number.MAX_SAFE_INTEGER, maxReason }: ParseDurationOptions = {},
): number {
  let parsed: number | undefined;
  if (typeof value === "number") parsed = value;
  else if (typeof value === "string" && value.trim() !== "") {
    // ms() answers undefined for words it does not know and throws for some inputs.
    try {
      parsed = ms(value as ms.StringValue) as number | undefined;
    } catch {
      parsed = undefined;
    }
  }
  const floor = allowZero ? 0 : 1;
  if (parsed === undefined || !Number.isFinite(parsed) || Math.ceil(parsed) < floor) {
    const expected = allowZero ? "zero or more" : "more than zero";
    throw new InvalidArgumentError(
      argument,
      value,
      `${argument} ${show(value)} is not a usable duration: pass milliseconds (${expected}, finite) ` +
        `or an ms string such as "500ms", "30s" or "5m"`,
    );
  }
  const rounded = Math.ceil(parsed);
  if (rounded > max) {
    throw new InvalidArgumentError(
      argument,
      value,
      `${argument} ${show(value)} is too long: pass at most ${max} ms (${ms(max, { long: true })})` +
        (maxReason ? `; ${maxReason}` : ""),
    );
  }
  return rounded;
}
