import { format } from "node:util";
import { isError, serializeError } from "./serialize-error";

/** One log call reduced to what pino writes: the fields of the line and its message. */
export interface LogRecord {
  fields: Record<string, unknown>;
  message: string;
}

const PLACEHOLDER = /%[sdifjoOc%]/g;

/**
 * Reads every call form the packages and the seed use:
 * - `(fields, message?, ...formatArgs)` — pino's form;
 * - `(message, ...args)` — printf-style args fill `%s`-style placeholders; any Error left over goes to
 *   `err`, any plain object left over is merged into the fields (`logger.error("Query failed", error)`);
 * - `(error, fields?)` / `(error, message?, ...)` — the error goes to `err`
 *   (`logger.warn(error, { item })`), and its message is the line's message when none is given.
 * The first Error goes to `err`; further ones go to `errors`. Errors in other top-level fields are
 * serialized in place, so `{ error }` shows its stack and cause just like `{ err }`.
 */
export function toLogRecord(args: readonly unknown[]): LogRecord {
  const fields: Record<string, unknown> = {};
  const [first, ...rest] = args;
  let template: string | undefined;
  if (typeof first === "string") {
    template = first;
  } else if (isError(first)) {
    addError(fields, first);
  } else if (isFieldsObject(first)) {
    Object.assign(fields, first);
  } else if (args.length > 0) {
    // A number, boolean, null or array first: nothing to read as fields, print it all.
    return { fields, message: format(...args) };
  }
  // `(fields, undefined)` is pino's `(fields, msg?)` with no message, e.g. from a wrapper passing its own.
  if (template === undefined && (typeof rest[0] === "string" || (rest.length > 0 && rest[0] === undefined))) {
    template = rest.shift() as string | undefined;
  }

  const placeholders = template === undefined ? 0 : countPlaceholders(template);
  const formatArgs = rest.slice(0, placeholders);
  const printed: unknown[] = [];
  for (const extra of rest.slice(placeholders)) {
    if (isError(extra)) addError(fields, extra);
    else if (isFieldsObject(extra)) Object.assign(fields, extra);
    else printed.push(extra);
  }

  for (const [key, value] of Object.entries(fields)) {
    // `err` is serialized by pino's serializer so bindings and pino-style calls share one path.
    if (key !== "err" && isError(value)) fields[key] = serializeError(value);
  }

  let message =
    template === undefined ? "" : formatArgs.length > 0 ? format(template, ...formatArgs) : template;
  if (printed.length > 0) message = [message, format(...printed)].filter((part) => part !== "").join(" ");
  if (message === "" && isError(fields.err)) message = fields.err.message;
  return { fields, message };
}

function addError(fields: Record<string, unknown>, error: Error): void {
  if (fields.err === undefined) {
    fields.err = error;
  } else {
    const errors = Array.isArray(fields.errors) ? fields.errors : [];
    fields.errors = [...errors, serializeError(error)];
  }
}

function isFieldsObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function countPlaceholders(template: string): number {
  let count = 0;
  for (const match of template.matchAll(PLACEHOLDER)) if (match[0] !== "%%") count++;
  return count;
}
