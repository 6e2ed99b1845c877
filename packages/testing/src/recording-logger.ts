/** One call a `RecordingLogger` received. */
export interface RecordedLine {
  level: "debug" | "info" | "warn" | "error";
  /** The first string argument, or "" when there was none. */
  message: string;
  /** Every argument, as passed, bindings of `child()` first. */
  args: unknown[];
  bindings: Record<string, unknown>;
}

/**
 * A logger (it fits `LoggerLike`) that keeps every call, for tests that assert what a package
 * logged. `child()` loggers record into the same list with their bindings.
 */
export interface RecordingLogger {
  lines: RecordedLine[];
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  child(bindings: Record<string, unknown>): RecordingLogger;
  /** The messages logged at `level`. */
  messages(level: RecordedLine["level"]): string[];
}

export function recordingLogger(
  lines: RecordedLine[] = [],
  bindings: Record<string, unknown> = {},
): RecordingLogger {
  const record =
    (level: RecordedLine["level"]) =>
    (...args: unknown[]) => {
      const message = args.find((arg) => typeof arg === "string");
      lines.push({ level, message: typeof message === "string" ? message : "", args, bindings });
    };
  return {
    lines,
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
    messages: (level) => lines.filter((line) => line.level === level).map((line) => line.message),
  };
}
