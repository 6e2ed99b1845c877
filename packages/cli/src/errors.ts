/** Exit codes of `octo-jobs`, as the README documents them. */
export const EXIT = {
  /** The command did what it was asked. */
  ok: 0,
  /** Redis was unreachable, a job or queue name is unknown, or Redis answered with an error. */
  error: 1,
  /** The command line was wrong: unknown command or flag, missing or bad value. */
  usage: 2,
} as const;

/** A failure the CLI reports with a message of its own, a stable `code` and an exit code. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
    /** Extra fields of the JSON error (`--json`), e.g. the known names. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command line cannot be run as written; exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super("ERR_OCTO_CLI_USAGE", `${message}\nRun "octo-jobs --help" for the commands and flags.`, EXIT.usage);
  }
}

/** Redis could not be reached (refused, timed out, wrong password); exit code 1. */
export class RedisUnreachableError extends CliError {
  constructor(url: string, reason: string) {
    super(
      "ERR_OCTO_CLI_REDIS_UNREACHABLE",
      `cannot reach Redis at ${url}: ${reason.replace(/\.+$/, "")}. Check --redis (or REDIS_URL) and that Redis is running.`,
      EXIT.error,
      { url },
    );
  }
}

/** A job or queue name that Redis does not know; the message lists the known ones. Exit code 1. */
export class UnknownNameError extends CliError {
  constructor(kind: "job" | "queue", name: string, known: string[], prefix: string) {
    const list =
      known.length === 0
        ? `there are no ${kind}s under the prefix "${prefix}" (is --prefix right?)`
        : `known ${kind}s: ${known.join(", ")}`;
    super(
      kind === "job" ? "ERR_OCTO_CLI_UNKNOWN_JOB" : "ERR_OCTO_CLI_UNKNOWN_QUEUE",
      `unknown ${kind} ${JSON.stringify(name)}: ${list}`,
      EXIT.error,
      { [kind]: name, known },
    );
  }
}
