import type { CommandName } from "./args";

const COMMAND_HELP: Readonly<Record<CommandName, { usage: string; summary: string }>> = {
  status: { usage: "status", summary: "every job: schedule, time zone, next fire, last run" },
  history: { usage: "history <job> [--limit N]", summary: "a job's latest runs, newest first (default 20)" },
  queues: { usage: "queues", summary: "every queue: pending, in flight, delayed, dead, oldest pending" },
  "dead-letters": {
    usage: "dead-letters <queue> [--limit N] [--cursor C]",
    summary: "a page of a queue's dead letters (default 20, at most 1000)",
  },
  requeue: {
    usage: "requeue <queue> [--id ID ...]",
    summary: "moves the given dead letters (all without --id) back to pending",
  },
  "remove-dead": { usage: "remove-dead <queue> --id ID ...", summary: "deletes the given dead letters" },
  run: { usage: "run <job>", summary: "asks a running instance that has the job to run it now" },
};

/** `--help`, for all commands or one. */
export function helpText(command?: CommandName): string {
  const commands = command === undefined ? (Object.keys(COMMAND_HELP) as CommandName[]) : [command];
  const width = Math.max(...commands.map((c) => COMMAND_HELP[c].usage.length));
  return [
    "Usage: octo-jobs <command> [flags]",
    "",
    command === undefined ? "Commands:" : "Command:",
    ...commands.map((c) => `  ${COMMAND_HELP[c].usage.padEnd(width)}  ${COMMAND_HELP[c].summary}`),
    "",
    "Flags:",
    "  --redis URL    Redis to read (default: $REDIS_URL, then redis://127.0.0.1:6379)",
    '  --prefix P     key prefix the runner and queues use (default: "octo")',
    "  --json         print JSON for scripts instead of tables",
    "  -h, --help     print this help",
    "  -v, --version  print the version",
    "",
    "Exit codes: 0 done, 1 error (Redis unreachable, unknown job or queue), 2 wrong command line.",
    "",
  ].join("\n");
}
