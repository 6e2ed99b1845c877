/**
 * One logging method. Both pino's form (`logger.info({ job }, "ran")`) and the plain forms
 * (`logger.info("ran")`, `logger.warn(error, { item })`, `logger.error("failed", error)`) fit.
 */
export interface LogFn {
  (message: string, ...args: unknown[]): void;
  (object: unknown, message?: string, ...args: unknown[]): void;
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
