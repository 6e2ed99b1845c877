/** Base class of every error thrown by `@octo/decorators`; `code` is stable across versions. */
export class DecoratorError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A schedule that node-cron rejects (wrong field count or a field out of range). */
export class InvalidScheduleError extends DecoratorError {
  constructor(message: string) {
    super("ERR_OCTO_INVALID_SCHEDULE", message);
  }
}

/** A bad `retries`, `timeout`, `maxComputeTime`, `timezone` or `parallelism`. */
export class InvalidJobConfigError extends DecoratorError {
  constructor(message: string) {
    super("ERR_OCTO_INVALID_JOB_CONFIG", message);
  }
}

/** A bad group or job name (empty, not a string). */
export class InvalidNameError extends DecoratorError {
  constructor(message: string) {
    super("ERR_OCTO_INVALID_NAME", message);
  }
}

/** Two jobs (or two queries) of one full name, or two groups of one name. */
export class DuplicateJobError extends DecoratorError {
  constructor(message: string) {
    super("ERR_OCTO_DUPLICATE_JOB", message);
  }
}

/** Two `@cron` classes with one group name. */
export class DuplicateGroupError extends DecoratorError {
  constructor(message: string) {
    super("ERR_OCTO_DUPLICATE_GROUP", message);
  }
}

/** A `@query` with no `@job` of the same name in its class. */
export class OrphanQueryError extends DecoratorError {
  constructor(message: string) {
    super("ERR_OCTO_ORPHAN_QUERY", message);
  }
}

/** A decorator applied as a TC39 (standard) decorator: the project compiles without `experimentalDecorators`. */
export class StandardDecoratorsError extends DecoratorError {
  constructor(message: string) {
    super("ERR_OCTO_STANDARD_DECORATORS", message);
  }
}

/** `@job` or `@query` on a static method: jobs run on instances the container builds. */
export class StaticJobMethodError extends DecoratorError {
  constructor(message: string) {
    super("ERR_OCTO_STATIC_JOB_METHOD", message);
  }
}

/** Two copies of `@octo/decorators` whose registries cannot be shared are loaded in one process. */
export class RegistryMismatchError extends DecoratorError {
  constructor(message: string) {
    super("ERR_OCTO_REGISTRY_MISMATCH", message);
  }
}

/** `@cron` on a class inversify cannot make injectable (for a reason other than `@injectable()` already on it). */
export class CronInjectableError extends DecoratorError {
  constructor(message: string) {
    super("ERR_OCTO_CRON_INJECTABLE", message);
  }
}
