/**
 * One logging method. Every form the packages, pino and the jobs guide use fits:
 * - `logger.info("ran")`, `logger.info("took %d ms", 42)`, `logger.error("Query failed", error)`;
 * - pino's `logger.info({ job }, "ran")` and `logger.error(error, "failed")`;
 * - `logger.warn(error, { item })`, with `error` the `unknown` of a `catch`.
 *
 * The arguments after a non-string first one are `any`, not `unknown`: callers may pass anything
 * either way, but only `any` lets loggers whose second parameter is `msg?: string` (pino, any
 * version) be assigned to `LoggerLike`.
 */
export interface LogFn {
  (message: string, ...args: unknown[]): void;
  // biome-ignore lint/suspicious/noExplicitAny: keeps pino's `(obj, msg?: string)` methods assignable, see above.
  (object: unknown, ...args: any[]): void;
}

/**
 * The logger the Octo Jobs packages accept: our `Logger`, a pino logger, or anything else with
 * these four methods. `child` is used when present to bind fields such as the job name.
 */
export interface LoggerLike {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child?(bindings: Record<string, unknown>): LoggerLike;
}

const ignore: LogFn = () => {};

/** A logger that drops everything: the default where no logger is given. */
export const silentLogger: LoggerLike = {
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  child: () => silentLogger,
};

/** Binds `bindings` with `child` when the logger has it; otherwise returns the logger itself. */
export function childLogger(logger: LoggerLike, bindings: Record<string, unknown>): LoggerLike {
  return logger.child ? logger.child(bindings) : logger;
}
