import { InvalidArgumentError } from "./invalid-argument-error";
import { show } from "./show";

/**
 * Asserts that a name which becomes part of a Redis key (a lock group, a queue name, a prefix,
 * an owner) is a non-empty string without `{` or `}`.
 *
 * Keys carry a Redis Cluster hash tag around the name (`octo:q:{orders}:pending`) so that every
 * key one script touches hashes to one slot. Cluster hashes only the text between the first `{`
 * and the next `}`: a brace inside a name or prefix would move or split the tag, and the
 * script's keys would land in different slots (`CROSSSLOT`) or every name would share one slot.
 */
export function assertKeyName(argument: string, value: unknown): asserts value is string {
  assertNonEmptyString(argument, value);
  if (value.includes("{") || value.includes("}")) {
    throw new InvalidArgumentError(
      argument,
      value,
      `${argument} ${show(value)} contains "{" or "}": Redis Cluster reads braces in a key as its hash tag, ` +
        "which the packages set themselves; pass a name without braces",
    );
  }
}

/** Asserts a non-empty string that is stored as a value, not as part of a key (a lock owner). */
export function assertNonEmptyString(argument: string, value: unknown): asserts value is string {
  if (typeof value !== "string" || value === "") {
    throw new InvalidArgumentError(
      argument,
      value,
      `${argument} ${show(value)} is not usable: pass a non-empty string`,
    );
  }
}

/** The key prefix: `"octo"` when not given, else a valid key name. */
export function resolvePrefix(value: unknown, argument = "options.prefix"): string {
  if (value === undefined) return "octo";
  assertKeyName(argument, value);
  return value;
}

/** `name` wrapped as a Redis Cluster hash tag: every key built around it shares one slot. */
export function hashTag(name: string): string {
  return `{${name}}`;
}
