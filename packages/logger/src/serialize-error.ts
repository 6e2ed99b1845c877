/** How an Error appears in a log line (under `err`, and nested under `cause`). */
export interface SerializedError {
  /** The constructor's name, e.g. `"TypeError"` or `"QueryFailedError"`. */
  type: string;
  message: string;
  stack?: string;
  /** The serialized `cause` when it is an Error; any other cause value as it was. */
  cause?: unknown;
  /** The members of an `AggregateError`. */
  errors?: unknown[];
  /** The error's own enumerable properties, such as `code`. */
  [property: string]: unknown;
}

/** Causes nested deeper than this are cut off, so a pathological chain cannot blow up one line. */
export const MAX_CAUSE_DEPTH = 8;

/** Returns the JSON-ready form of `value` when it is an Error, otherwise `value` unchanged. */
export function serializeError(value: unknown): unknown {
  return isError(value) ? serialize(value, 0, new Set()) : value;
}

/** True for Errors, also ones from another realm (vm, worker) where `instanceof` fails. */
export function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === "[object Error]";
}

function serialize(error: Error, depth: number, seen: Set<Error>): SerializedError {
  seen.add(error);
  const serialized: SerializedError = {
    type:
      typeof error.constructor === "function" && error.constructor.name ? error.constructor.name : error.name,
    message: String(error.message),
  };
  if (error.stack !== undefined) serialized.stack = String(error.stack);
  for (const [key, value] of Object.entries(error)) {
    if (key in serialized || key === "cause" || key === "errors") continue;
    serialized[key] = nested(value, depth, seen);
  }
  // `cause` is an own but non-enumerable property when set through `new Error(msg, { cause })`.
  if ("cause" in error && error.cause !== undefined) serialized.cause = nested(error.cause, depth, seen);
  const members = (error as { errors?: unknown }).errors;
  if (Array.isArray(members)) serialized.errors = members.map((member) => nested(member, depth, seen));
  return serialized;
}

function nested(value: unknown, depth: number, seen: Set<Error>): unknown {
  if (!isError(value)) return value;
  if (seen.has(value)) return "[Circular]";
  if (depth + 1 > MAX_CAUSE_DEPTH) return `[Truncated: more than ${MAX_CAUSE_DEPTH} nested errors]`;
  return serialize(value, depth + 1, seen);
}
