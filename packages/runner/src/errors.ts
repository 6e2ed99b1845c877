/** Base class of the runner's errors; `code` is stable. */
export class RunnerError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** `run(name)` / `stop(name)` with a name no @job declares. */
export class UnknownJobError extends RunnerError {
  constructor(name: string, known: string[]) {
    super("ERR_OCTO_UNKNOWN_JOB", `unknown job ${JSON.stringify(name)}; known jobs: ${listNames(known)}`);
  }
}

/** `run()` before `start()`. */
export class RunnerNotStartedError extends RunnerError {
  constructor(what: string) {
    super("ERR_OCTO_RUNNER_NOT_STARTED", `${what} needs a started runner: call start(redis, logger) first`);
  }
}

/** A second `start()` on one runner, while it runs or after `stop()`. */
export class RunnerAlreadyStartedError extends RunnerError {
  constructor(instanceId: string) {
    super(
      "ERR_OCTO_RUNNER_ALREADY_STARTED",
      `runner ${JSON.stringify(instanceId)} was already started or stopped; a JobRunner starts once: to start again after stop(), create a new JobRunner`,
    );
  }
}

/** `run(name)` of a job that `stop(name)` or `stop()` stopped on this runner. */
export class JobStoppedError extends RunnerError {
  constructor(name: string) {
    super(
      "ERR_OCTO_JOB_STOPPED",
      `job ${JSON.stringify(name)} was stopped on this runner; run() does not restart it: create and start a new JobRunner`,
    );
  }
}

/** A constructor, `start`, `run` or `stop` argument the runner cannot use; nothing was written. */
export class InvalidRunnerArgumentError extends RunnerError {
  constructor(
    /** The argument as the signature spells it, e.g. `redis` or `options.prefix`. */
    readonly argument: string,
    /** What was passed. */
    readonly value: unknown,
    expected: string,
  ) {
    super("ERR_OCTO_INVALID_ARGUMENT", `${argument} must be ${expected}, got ${describe(value)}`);
  }
}

/** `"a", "b"` or `(none)`, for messages that list the known jobs. */
export function listNames(names: string[]): string {
  return names.map((n) => JSON.stringify(n)).join(", ") || "(none)";
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`;
  if (typeof value !== "object" || value === null) return String(value);
  const kind = (value as object).constructor?.name;
  if (kind && kind !== "Object" && kind !== "Array") return `an instance of ${kind}`;
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return "an object";
  }
}

/** A `@cron` class the container cannot build for this instance; its jobs fail, the others run. */
export class JobClassUnresolvableError extends RunnerError {
  constructor(className: string, group: string, reason: string, cause?: unknown) {
    super(
      "ERR_OCTO_JOB_CLASS_UNRESOLVABLE",
      `the container could not build ${className} (group ${JSON.stringify(group)}): ${reason}; bind it (or its dependencies) in the container passed to JobRunner`,
    );
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** A `@query` that returned something the runner cannot turn into items. */
export class InvalidQueryResultError extends RunnerError {
  constructor(job: string, got: string) {
    super(
      "ERR_OCTO_INVALID_QUERY_RESULT",
      `the query of job ${JSON.stringify(job)} returned ${got}: return an array, an iterable of items, or an async iterable of arrays (batches)`,
    );
  }
}
