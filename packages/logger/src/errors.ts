/**
 * Thrown by `new Logger(options)` when an option is missing or has a value the logger cannot use.
 * Thrown at construction so a misconfigured service fails at start-up, not at its first log line.
 */
export class InvalidLoggerOptionError extends Error {
  /** Stable code to match on instead of the message. */
  readonly code = "ERR_OCTO_INVALID_LOGGER_OPTION";
  /** The option that was wrong, e.g. `"level"`. */
  readonly option: string;
  /** The value that was given. */
  readonly value: unknown;

  constructor(option: string, value: unknown, expected: string) {
    super(`Logger option "${option}" is ${describe(value)}; expected ${expected}.`);
    this.name = "InvalidLoggerOptionError";
    this.option = option;
    this.value = value;
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || value === undefined || typeof value !== "object") return String(value);
  if (Array.isArray(value)) return `the array ${safeJson(value)}`;
  return `the object ${safeJson(value)}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Thrown by `new Logger({ pretty: true })` when the optional peer dependency `pino-pretty` is not
 * installed. Install it (`npm install pino-pretty`), or log JSON lines with `pretty: false`.
 */
export class MissingPrettyPrinterError extends Error {
  /** Stable code to match on instead of the message. */
  readonly code = "ERR_OCTO_PINO_PRETTY_MISSING";

  constructor() {
    super(
      'Logger option "pretty" is true but pino-pretty is not installed. Install it with ' +
        "`npm install pino-pretty` (an optional peer dependency of @octo/logger), or set pretty: false for JSON lines.",
    );
    this.name = "MissingPrettyPrinterError";
  }
}
