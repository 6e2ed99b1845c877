import type { LogFn, LoggerLike } from "@octo/internal";
import pino, { type Logger as PinoLogger } from "pino";
import { toLogRecord } from "./log-arguments";
import { type LogDestination, type LoggerOptions, type LogLevel, resolveLoggerOptions } from "./options";
import { loadPrettyPrinter, type RenderLine } from "./pretty-printer";
import { scrubUrlPasswords } from "./scrub-url-passwords";
import { serializeError } from "./serialize-error";

type WritingLevel = Exclude<LogLevel, "silent">;

/** Carries an existing pino logger into the constructor for `child()`; not exported. */
class ChildOf {
  constructor(readonly pino: PinoLogger) {}
}

/**
 * A structured logger built on pino: JSON lines (or readable lines on a terminal), every line with
 * `level`, `time`, `name` and `msg`, errors with their stack and cause chain, secrets redacted.
 * It satisfies `LoggerLike`, so it can be handed to every Octo Jobs package.
 *
 * The logging methods are bound to the instance: `promise.catch(logger.error)` works.
 *
 * @example
 * const logger = new Logger({ name: "jobs" });
 * logger.info({ job: "billing.invoice" }, "job started");
 * logger.error("Query failed", error);
 *
 * @throws InvalidLoggerOptionError when `name` is missing or an option has an unusable value.
 */
export class Logger implements LoggerLike {
  readonly #pino: PinoLogger;

  constructor(options: LoggerOptions) {
    this.#pino = options instanceof ChildOf ? options.pino : createPino(options);
  }

  /** The lowest level written: one of `trace`, `debug`, `info`, `warn`, `error`, `fatal`, `silent`. */
  get level(): LogLevel {
    return this.#pino.level as LogLevel;
  }

  /** Whether a call at `level` would write a line; use it to skip building expensive fields. */
  isLevelEnabled(level: LogLevel): boolean {
    return level !== "silent" && this.#pino.isLevelEnabled(level);
  }

  /** Logs at `trace`. Accepts every form `LogFn` documents. */
  readonly trace: LogFn = (...args: unknown[]) => this.#write("trace", args);
  /** Logs at `debug`. Accepts every form `LogFn` documents. */
  readonly debug: LogFn = (...args: unknown[]) => this.#write("debug", args);
  /** Logs at `info`. Accepts every form `LogFn` documents. */
  readonly info: LogFn = (...args: unknown[]) => this.#write("info", args);
  /** Same as `info`, for code written against `console.log`. */
  readonly log: LogFn = this.info;
  /** Logs at `warn`, e.g. `logger.warn(error, { item })` or `logger.warn({ err, job }, "retrying")`. */
  readonly warn: LogFn = (...args: unknown[]) => this.#write("warn", args);
  /** Logs at `error`, e.g. `logger.error("Query failed", error)`. */
  readonly error: LogFn = (...args: unknown[]) => this.#write("error", args);
  /** Logs at `fatal`. Accepts every form `LogFn` documents. */
  readonly fatal: LogFn = (...args: unknown[]) => this.#write("fatal", args);

  /**
   * A logger that writes `bindings` on every line, on top of this one's, with the same level,
   * destination and redaction.
   *
   * @example
   * const jobLogger = logger.child({ job: "billing.invoice" });
   */
  child(bindings: Record<string, unknown>): Logger {
    return new Logger(new ChildOf(this.#pino.child(bindings)) as unknown as LoggerOptions);
  }

  #write(level: WritingLevel, args: unknown[]): void {
    if (!this.#pino.isLevelEnabled(level)) return;
    const { fields, message } = toLogRecord(args);
    this.#pino[level](fields, message);
  }
}

function createPino(options: LoggerOptions): PinoLogger {
  const { name, level, redactPaths, destination, pretty } = resolveLoggerOptions(options);
  const target = destination ?? pino.destination({ dest: 1, sync: true });
  const usePretty = pretty ?? isTerminal(destination ?? process.stdout);
  const render = usePretty ? loadPrettyPrinter(isTerminal(target), pretty === true) : undefined;
  return pino(
    {
      name,
      level,
      redact: { paths: redactPaths },
      serializers: { err: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    scrubbingStream(target, render),
  );
}

/**
 * Every line passes through here on its way out, so a URL password is masked wherever it sits:
 * message, fields, bindings, error messages and stacks.
 */
function scrubbingStream(target: LogDestination, render?: RenderLine): pino.DestinationStream {
  return {
    write(line: string) {
      const scrubbed = scrubUrlPasswords(line);
      target.write(render ? render(scrubbed) : scrubbed);
    },
  };
}

function isTerminal(stream: unknown): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}
