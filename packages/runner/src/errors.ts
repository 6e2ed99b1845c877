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
    super(
      "ERR_OCTO_UNKNOWN_JOB",
      `unknown job ${JSON.stringify(name)}; known jobs: ${known.map((k) => JSON.stringify(k)).join(", ") || "(none)"}`,
    );
  }
}

/** `run()` before `start()`. */
export class RunnerNotStartedError extends RunnerError {
  constructor(what: string) {
    super("ERR_OCTO_RUNNER_NOT_STARTED", `${what} needs a started runner: call start(redis, logger) first`);
  }
}
