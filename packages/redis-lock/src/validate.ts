import type { Cluster, Redis } from "ioredis";
import ms from "ms";
import { InvalidArgumentError } from "./errors";

/** A duration as the `ms` package reads it (`"30s"`, `"5m"`) or a number of milliseconds. */
export type Duration = string | number;

/** Renders a bad value the way a reader would type it: strings quoted, numbers as written. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  if (value === null || value === undefined) return String(value);
  if (typeof value === "function") return `a function (${value.name || "anonymous"})`;
  const name = (value as object).constructor?.name;
  return name && name !== "Object" ? `a ${name}` : "an object";
}

/**
 * Parses a duration once, at the edge. Milliseconds are rounded up so a fractional value never
 * becomes a zero-length lock (Redis' PX takes whole milliseconds).
 */
export function parseDuration(
  argument: string,
  value: unknown,
  { allowZero = false }: { allowZero?: boolean } = {},
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
  if (rounded > Number.MAX_SAFE_INTEGER) {
    throw new InvalidArgumentError(
      argument,
      value,
      `${argument} ${show(value)} is too long: pass at most ${Number.MAX_SAFE_INTEGER} ms`,
    );
  }
  return rounded;
}

/** Lock names and owners end up inside Redis keys and values: they must be non-empty strings. */
export function assertName(argument: string, value: unknown): asserts value is string {
  if (typeof value !== "string" || value === "") {
    throw new InvalidArgumentError(
      argument,
      value,
      `${argument} ${show(value)} is not usable: pass a non-empty string`,
    );
  }
}

/**
 * Accepts anything that behaves as an ioredis `Redis` or `Cluster` (checked by shape, so two
 * copies of ioredis in one application still work together).
 */
export function assertClient(value: unknown): asserts value is Redis | Cluster {
  const client = value as Partial<Record<"defineCommand" | "evalsha" | "duplicate", unknown>> | null;
  if (
    typeof client !== "object" ||
    client === null ||
    typeof client.defineCommand !== "function" ||
    typeof client.evalsha !== "function" ||
    typeof client.duplicate !== "function"
  ) {
    throw new InvalidArgumentError(
      "redis",
      value,
      `redis ${show(value)} is not an ioredis client: pass a connected \`new Redis(...)\` or \`new Cluster(...)\` from ioredis`,
    );
  }
}

export function assertPrefix(value: unknown): string {
  if (value === undefined) return "octo";
  assertName("options.prefix", value);
  return value;
}
