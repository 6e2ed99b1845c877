import type { OctoState } from "@octo/state";
import type { CommandName } from "./args";
import { UnknownNameError } from "./errors";
import { isoDate, NONE, readableDuration, table, truncate } from "./format";

/** What a command answers: the JSON for `--json`, the lines for people, and notes for stderr. */
export interface CommandOutput {
  json: unknown;
  lines: string[];
  warnings?: string[];
}

/** A checked command line, as a command needs it. */
export interface CommandInput {
  state: OctoState;
  prefix: string;
  target: string;
  limit: number;
  cursor: string | null;
  ids: string[] | null;
}

type Command = (input: CommandInput) => Promise<CommandOutput>;

const ERROR_WIDTH = 60;
const ITEM_WIDTH = 60;

export const COMMAND_RUNNERS: Readonly<Record<CommandName, Command>> = {
  async status({ state, prefix }) {
    const jobs = await state.jobs();
    if (jobs.length === 0) return { json: { jobs }, lines: [noJobs(prefix)] };
    const rows = jobs.map((j) => [
      j.job,
      j.schedule,
      j.timezone ?? NONE,
      isoDate(j.nextFireAt),
      isoDate(j.lastRun?.startedAt ?? null),
      j.lastRun?.outcome ?? NONE,
      readableDuration(j.lastRun?.durationMs ?? null),
    ]);
    const columns = ["JOB", "SCHEDULE", "TIME ZONE", "NEXT FIRE", "LAST RUN", "OUTCOME", "DURATION"];
    return { json: { jobs }, lines: table(columns.map(header), rows) };
  },

  async history({ state, prefix, target: job, limit }) {
    await knownJob(state, prefix, job);
    const entries = await state.history(job, limit);
    if (entries.length === 0) return { json: { job, entries }, lines: [`no runs of ${job} recorded yet`] };
    const rows = entries.map((e) => [
      isoDate(e.scheduledAt),
      e.outcome,
      e.trigger,
      e.instance ?? NONE,
      isoDate(e.startedAt),
      readableDuration(e.durationMs),
      e.error === undefined ? "" : errorCell(e.error),
    ]);
    const columns = [
      header("SCHEDULED AT"),
      header("OUTCOME"),
      header("TRIGGER"),
      header("INSTANCE"),
      header("STARTED AT"),
      { header: "DURATION", align: "right" as const },
      header("ERROR"),
    ];
    return { json: { job, entries }, lines: table(columns, rows) };
  },

  async queues({ state, prefix }) {
    const queues = await state.queues();
    if (queues.length === 0) {
      return { json: { queues }, lines: [`no queues under the prefix "${prefix}" (is --prefix right?)`] };
    }
    const rows = queues.map((q) => [
      q.name,
      String(q.pending),
      String(q.inFlight),
      String(q.delayed),
      String(q.dead),
      readableDuration(q.oldestPendingAgeMs),
    ]);
    const columns = [
      header("QUEUE"),
      ...["PENDING", "IN FLIGHT", "DELAYED", "DEAD", "OLDEST PENDING"].map((h) => ({
        header: h,
        align: "right" as const,
      })),
    ];
    return { json: { queues }, lines: table(columns, rows) };
  },

  async "dead-letters"({ state, prefix, target: queue, limit, cursor }) {
    await knownQueue(state, prefix, queue);
    const page = await state.deadLetters(queue, limit, cursor);
    const json = { queue, ...page };
    const lines =
      page.items.length === 0
        ? [`no dead letters in queue ${queue}${cursor === null ? "" : " after this cursor"}`]
        : table(
            [
              header("ID"),
              { header: "ATTEMPTS", align: "right" },
              header("LAST FAILED"),
              header("ERROR"),
              header("ITEM"),
            ],
            page.items.map((d) => [
              d.id,
              String(d.attempts),
              isoDate(d.lastFailedAt),
              errorCell(d.error),
              truncate(d.decoded ? (JSON.stringify(d.item) ?? String(d.item)) : String(d.item), ITEM_WIDTH),
            ]),
          );
    if (page.cursor !== null) {
      lines.push("", `more: octo-jobs dead-letters ${shellWord(queue)} --cursor ${shellWord(page.cursor)}`);
    }
    return { json, lines };
  },

  async requeue({ state, prefix, target: queue, ids }) {
    await knownQueue(state, prefix, queue);
    const unique = ids === null ? null : [...new Set(ids)];
    const requeued = await state.requeue(queue, unique ?? undefined);
    return {
      json: { queue, ids: unique, requeued },
      lines: [`requeued ${plural(requeued, "dead letter")} of queue ${queue} to pending`],
      warnings: unique === null ? [] : notFound(unique.length - requeued, queue, "requeued"),
    };
  },

  async "remove-dead"({ state, prefix, target: queue, ids }) {
    await knownQueue(state, prefix, queue);
    const unique = [...new Set(ids ?? [])];
    const removed = await state.remove(queue, unique);
    return {
      json: { queue, ids: unique, removed },
      lines: [`removed ${plural(removed, "dead letter")} of queue ${queue}`],
      warnings: notFound(unique.length - removed, queue, "removed"),
    };
  },

  async run({ state, prefix, target: job }) {
    await knownJob(state, prefix, job);
    const requested = await state.requestRun(job);
    return {
      json: { requested },
      lines: [
        `requested a run of ${job} (request ${requested.id}): one running instance that has the job runs it`,
      ],
    };
  },
};

async function knownJob(state: OctoState, prefix: string, job: string): Promise<void> {
  if (!(await state.hasJob(job))) throw new UnknownNameError("job", job, await state.jobNames(), prefix);
}

async function knownQueue(state: OctoState, prefix: string, queue: string): Promise<void> {
  const names = await state.queueNames();
  if (!names.includes(queue)) throw new UnknownNameError("queue", queue, names, prefix);
}

/** An error's first line (its message; a stack follows it), cut to fit a column. */
function errorCell(error: string): string {
  return truncate(error.split("\n", 1)[0] ?? "", ERROR_WIDTH);
}

function header(text: string) {
  return { header: text };
}

function noJobs(prefix: string): string {
  return `no jobs under the prefix "${prefix}": none was started with it (is --prefix right?)`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function notFound(missing: number, queue: string, verb: string): string[] {
  if (missing <= 0) return [];
  return [
    `${plural(missing, "given id")} ${missing === 1 ? "is" : "are"} not a dead letter of queue ${queue} ` +
      `(${verb} already, or mistyped?): see octo-jobs dead-letters ${shellWord(queue)}`,
  ];
}

/** The word as a POSIX shell reads it back: quoted when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[\w.:@%+=,/-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
