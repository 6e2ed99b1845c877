import { parseArgs } from "node:util";
import { UsageError } from "./errors";

/** The commands, in the order `--help` lists them. */
export const COMMAND_NAMES = [
  "status",
  "history",
  "queues",
  "dead-letters",
  "requeue",
  "remove-dead",
  "run",
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

type CommandFlag = "limit" | "cursor" | "id";

/** What each command takes besides the global flags. */
interface CommandSpec {
  /** The positional argument it needs, if any. */
  target?: "job" | "queue";
  flags: readonly CommandFlag[];
  /** `--id` must be given at least once. */
  idRequired?: boolean;
  /** Default and largest `--limit`. */
  limit?: { default: number; max: number };
}

export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  status: { flags: [] },
  history: { target: "job", flags: ["limit"], limit: { default: 20, max: 10_000 } },
  queues: { flags: [] },
  // The queue reads at most 1000 dead letters per page.
  "dead-letters": { target: "queue", flags: ["limit", "cursor"], limit: { default: 20, max: 1000 } },
  requeue: { target: "queue", flags: ["id"] },
  "remove-dead": { target: "queue", flags: ["id"], idRequired: true },
  run: { target: "job", flags: [] },
};

/** Where to find Redis and how to print, from the global flags. */
export interface GlobalOptions {
  redisUrl: string;
  prefix: string;
  json: boolean;
}

/** A command line, checked. */
export type Invocation =
  | { kind: "help"; command?: CommandName; json: boolean }
  | { kind: "version"; json: boolean }
  | {
      kind: "command";
      command: CommandName;
      /** The job or queue name, for the commands that take one. */
      target: string;
      options: GlobalOptions;
      limit: number;
      cursor: string | null;
      /** The `--id` values; `null` when none were given. */
      ids: string[] | null;
    };

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

const OPTIONS = {
  redis: { type: "string" },
  prefix: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
  limit: { type: "string" },
  cursor: { type: "string" },
  id: { type: "string", multiple: true },
} as const;

/** Reads `argv` (without `node` and the script) with `node:util`'s `parseArgs`; throws `UsageError`. */
export function parseInvocation(argv: readonly string[], env: NodeJS.ProcessEnv): Invocation {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(parseArgsMessage(err));
  }
  const { values, positionals } = parsed;
  const json = values.json === true;
  if (values.version) return { kind: "version", json };
  const [name, ...rest] = positionals;
  if (name === undefined) {
    if (values.help) return { kind: "help", json };
    throw new UsageError(`no command given: use one of ${COMMAND_NAMES.join(", ")}`);
  }
  if (!isCommandName(name)) {
    throw new UsageError(`unknown command ${JSON.stringify(name)}: use one of ${COMMAND_NAMES.join(", ")}`);
  }
  if (values.help) return { kind: "help", command: name, json };
  const spec = COMMANDS[name];

  let target = "";
  if (spec.target !== undefined) {
    const given = rest.shift();
    if (given === undefined || given === "") {
      throw new UsageError(`${name} needs a ${spec.target} name: octo-jobs ${name} <${spec.target}>`);
    }
    target = given;
  }
  if (rest.length > 0) {
    throw new UsageError(
      `${name} takes no further argument, got ${rest.map((r) => JSON.stringify(r)).join(" ")}`,
    );
  }
  for (const flag of ["limit", "cursor", "id"] as const) {
    if (values[flag] !== undefined && !spec.flags.includes(flag)) {
      throw new UsageError(`--${flag} does not apply to ${name}`);
    }
  }
  const ids = values.id ?? null;
  if (ids?.some((id) => id === "")) throw new UsageError("--id needs a dead letter id, got an empty one");
  if (spec.idRequired && ids === null) {
    throw new UsageError(
      `${name} needs at least one --id: octo-jobs ${name} <queue> --id <id> [--id <id> ...]`,
    );
  }
  const cursor = values.cursor ?? null;
  if (cursor !== null && !/^\d+:/.test(cursor)) {
    throw new UsageError(
      `--cursor ${JSON.stringify(cursor)} is not a cursor: pass the "cursor" a previous page printed`,
    );
  }
  return {
    kind: "command",
    command: name,
    target,
    options: { redisUrl: redisUrl(values.redis, env), prefix: prefix(values.prefix), json },
    limit: spec.limit ? limit(values.limit, spec.limit) : 0,
    cursor,
    ids,
  };
}

function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

function redisUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const fromEnv = env.REDIS_URL === "" ? undefined : env.REDIS_URL;
  const url = flag ?? fromEnv ?? DEFAULT_REDIS_URL;
  const source = flag !== undefined ? "--redis" : "REDIS_URL";
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new UsageError(
      `${source} ${JSON.stringify(url)} is not a URL: pass one such as ${DEFAULT_REDIS_URL}`,
    );
  }
  if (protocol !== "redis:" && protocol !== "rediss:") {
    throw new UsageError(
      `${source} ${JSON.stringify(url)} is not a Redis URL: it must start with redis:// or rediss://`,
    );
  }
  return url;
}

function prefix(flag: string | undefined): string {
  if (flag === undefined) return "octo";
  if (flag === "" || flag.includes("{") || flag.includes("}")) {
    throw new UsageError(
      `--prefix ${JSON.stringify(flag)} is not a key prefix: pass the runner's prefix option, a non-empty name without { or }`,
    );
  }
  return flag;
}

function limit(flag: string | undefined, bounds: { default: number; max: number }): number {
  if (flag === undefined) return bounds.default;
  const n = /^\d+$/.test(flag) ? Number(flag) : Number.NaN;
  if (!(n >= 1 && n <= bounds.max)) {
    throw new UsageError(
      `--limit ${JSON.stringify(flag)} is not usable: pass a whole number from 1 to ${bounds.max}`,
    );
  }
  return n;
}

/** `parseArgs` errors say what is wrong, then suggest forms this CLI does not use: keep what is wrong. */
function parseArgsMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown }).code;
  const flag = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && flag) return `unknown flag ${flag}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag && /missing|ambiguous/.test(message)) {
    return `${flag} needs a value`;
  }
  return (message.split("\n")[0] ?? message).replace(/\. To specify.*$/, "");
}
