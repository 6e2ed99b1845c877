import type { DestinationStream } from "pino";
import { InvalidLoggerOptionError } from "./errors";

/** The levels `Logger` accepts, lowest first; `silent` turns logging off. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** One of pino's levels. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where log lines go: a pino destination (`pino.destination(...)`), a Node writable, or anything with `write`. */
export type LogDestination = DestinationStream | NodeJS.WritableStream;

/** Options of `new Logger(options)`. */
export interface LoggerOptions {
  /** Written on every line as `name`, e.g. the service or component. Required, non-empty. */
  name: string;
  /** Lowest level written. Default `"info"`, or `"debug"` when `verbose` is true. */
  level?: LogLevel;
  /** Shorthand for `level: "debug"`; an explicit `level` wins. Default `false`. */
  verbose?: boolean;
  /**
   * Extra pino redact paths (`"user.email"`, `"headers[\"x-session\"]"`, `"*.ssn"`), censored on top of
   * the built-in secret keys (see `DEFAULT_REDACT_KEYS`).
   */
  redact?: string[];
  /** Where lines are written. Default: standard output (synchronous writes, so nothing is lost on a crash). */
  destination?: LogDestination;
  /**
   * `true` writes human-readable lines (pino-pretty), `false` JSON lines. Default: pretty when the
   * destination is a terminal (TTY), JSON otherwise.
   */
  pretty?: boolean;
}

/**
 * Keys censored wherever they appear at the top level of a line or one level deep
 * (`{ password }`, `{ user: { password } }`, `{ headers: { authorization } }`).
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = [
  "password",
  "passwd",
  "secret",
  "clientSecret",
  "client_secret",
  "token",
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "idToken",
  "apiKey",
  "api_key",
  "apikey",
  "x-api-key",
  "authorization",
  "Authorization",
  "cookie",
  "set-cookie",
];

/** Options after validation and defaults, in the shape the logger is built from. */
export interface ResolvedLoggerOptions {
  name: string;
  level: LogLevel;
  redactPaths: string[];
  destination: LogDestination | undefined;
  pretty: boolean | undefined;
}

/** Validates `options` and fills in defaults; throws `InvalidLoggerOptionError` naming the bad option. */
export function resolveLoggerOptions(options: LoggerOptions): ResolvedLoggerOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidLoggerOptionError("options", options, 'an object such as { name: "jobs" }');
  }
  const { name, level, verbose, redact, destination, pretty } = options;
  if (typeof name !== "string" || name.trim() === "") {
    throw new InvalidLoggerOptionError("name", name, 'a non-empty string such as "jobs"');
  }
  if (level !== undefined && !(LOG_LEVELS as readonly unknown[]).includes(level)) {
    throw new InvalidLoggerOptionError("level", level, `one of ${LOG_LEVELS.join(", ")}`);
  }
  if (verbose !== undefined && typeof verbose !== "boolean") {
    throw new InvalidLoggerOptionError("verbose", verbose, "true or false");
  }
  if (redact !== undefined && (!Array.isArray(redact) || !redact.every(isNonEmptyString))) {
    throw new InvalidLoggerOptionError(
      "redact",
      redact,
      'an array of pino redact paths such as ["user.email"]',
    );
  }
  if (destination !== undefined && typeof (destination as { write?: unknown })?.write !== "function") {
    throw new InvalidLoggerOptionError(
      "destination",
      destination,
      "a stream with a write method, such as process.stderr or pino.destination(path)",
    );
  }
  if (pretty !== undefined && typeof pretty !== "boolean") {
    throw new InvalidLoggerOptionError("pretty", pretty, "true or false");
  }
  return {
    name,
    level: level ?? (verbose ? "debug" : "info"),
    redactPaths: [...defaultRedactPaths(), ...(redact ?? [])],
    destination,
    pretty,
  };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

function defaultRedactPaths(): string[] {
  return DEFAULT_REDACT_KEYS.flatMap((key) => {
    const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
    return [segment, segment.startsWith("[") ? `*${segment}` : `*.${segment}`];
  });
}
