import { describeThrown } from "@octo/internal";
import { OctoState } from "@octo/state";
import { version } from "../package.json";
import { parseInvocation } from "./args";
import { COMMAND_RUNNERS, type CommandOutput } from "./commands";
import { close, connect } from "./connect";
import { CliError, EXIT } from "./errors";
import { helpText } from "./help";

/** Where `runCli` reads its environment and writes its output; the process's own by default. */
export interface CliIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Where `REDIS_URL` is read. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs one `octo-jobs` command line, e.g. `["queues", "--json"]`, and resolves to its exit code
 * (0 done, 1 error, 2 wrong command line); it never rejects and always closes its Redis
 * connection. The `octo-jobs` binary is this function and `process.exitCode`.
 */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const wantsJson = argv.includes("--json");
  try {
    const invocation = parseInvocation(argv, io.env ?? process.env);
    if (invocation.kind === "help") {
      stdout.write(helpText(invocation.command));
      return EXIT.ok;
    }
    if (invocation.kind === "version") {
      stdout.write(invocation.json ? `${JSON.stringify({ version })}\n` : `${version}\n`);
      return EXIT.ok;
    }
    const { options } = invocation;
    const redis = await connect(options.redisUrl);
    let output: CommandOutput;
    try {
      output = await COMMAND_RUNNERS[invocation.command]({
        state: new OctoState(redis, options.prefix),
        prefix: options.prefix,
        target: invocation.target,
        limit: invocation.limit,
        cursor: invocation.cursor,
        ids: invocation.ids,
      });
    } finally {
      await close(redis);
    }
    stdout.write(options.json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.lines.join("\n")}\n`);
    for (const warning of output.warnings ?? []) stderr.write(`octo-jobs: ${warning}\n`);
    return EXIT.ok;
  } catch (err) {
    const error =
      err instanceof CliError ? err : new CliError("ERR_OCTO_CLI_FAILED", describeThrown(err), EXIT.error);
    stderr.write(
      wantsJson
        ? `${JSON.stringify({ error: { code: error.code, message: error.message, ...error.details } })}\n`
        : `octo-jobs: ${error.message}\n`,
    );
    return error.exitCode;
  }
}
