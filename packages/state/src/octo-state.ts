import { RedisQueue } from "@octo/redis-queue";
import type { Cluster, Redis } from "ioredis";
import { createTask } from "node-cron";
import { cronToWords } from "./cron-words";
import { type HistoryEntry, readHistory } from "./history";
import { StateKeys } from "./keys";
import { type RunRequest, requestRun } from "./run-request";

/** One job as the dashboard and the CLI show it. */
export interface JobView {
  /** Full name, `group.name`. */
  job: string;
  /** The part before the first `.`; `""` when the name has none. */
  group: string;
  schedule: string;
  timezone: string | null;
  /** The schedule in English (see `cronToWords`). */
  scheduleWords: string;
  /** The next fire from the schedule and time zone; `null` when the schedule cannot be read. */
  nextFireAt: Date | null;
  lastRun: LastRunView | null;
}

/** The last run recorded in the job's hash. */
export interface LastRunView {
  scheduledAt: Date;
  startedAt: Date;
  endedAt: Date | null;
  instance: string;
  outcome: string;
  durationMs: number | null;
  error: string | null;
}

/** One queue's counts. */
export interface QueueView {
  name: string;
  pending: number;
  inFlight: number;
  delayed: number;
  dead: number;
  /** How long the head of pending has waited; `null` when nothing is pending or it came from a fill. */
  oldestPendingAgeMs: number | null;
}

/** One dead letter, its item decoded with the queue's default codec. */
export interface DeadLetterView {
  id: string;
  /** The decoded item, or the stored text when the queue's default codec cannot read it. */
  item: unknown;
  /** Whether `item` is the decoded value (`true`) or the raw stored text (`false`). */
  decoded: boolean;
  attempts: number;
  error: string;
  firstFailedAt: Date;
  lastFailedAt: Date;
}

/** One page of dead letters; `cursor` fetches the next page, `null` at the end. */
export interface DeadLetterPage {
  items: DeadLetterView[];
  cursor: string | null;
}

/**
 * Everything the dashboard and the CLI read from or write to Redis goes through here: the keys
 * the runner documents (`StateKeys`), queue names found from the queue's documented keys, and
 * `RedisQueue` for counts, dead letters, requeues and removals.
 */
export class OctoState {
  private readonly keys: StateKeys;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {
    this.keys = new StateKeys(prefix);
  }

  /** Every job started anywhere, sorted by name. */
  async jobs(): Promise<JobView[]> {
    const names = await this.jobNames();
    const hashes = await Promise.all(names.map((job) => this.redis.hgetall(this.keys.job(job))));
    return Promise.all(names.map((job, i) => toJobView(job, hashes[i] ?? {})));
  }

  /** The names of every job started anywhere, sorted. */
  async jobNames(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.jobs)).sort();
  }

  /** The newest `limit` entries of a job's history, newest first (see `readHistory`). */
  history(job: string, limit: number): Promise<HistoryEntry[]> {
    return readHistory(this.redis, this.keys, job, limit);
  }

  /** Files a request that one running instance of the job runs it once (see `requestRun`). */
  requestRun(job: string): Promise<RunRequest> {
    return requestRun(this.redis, this.keys, job);
  }

  /** Every queue that has keys in Redis, sorted by name. */
  async queues(): Promise<QueueView[]> {
    const names = await this.queueNames();
    return Promise.all(names.map(async (name) => ({ name, ...(await this.queue(name).stats()) })));
  }

  /**
   * A page of a queue's dead letters, read with the queue's own paging (bounded HSCAN); an item
   * its codec cannot decode comes back as the stored text.
   */
  async deadLetters(queue: string, limit: number, cursor: string | null): Promise<DeadLetterPage> {
    const page = await this.queue(queue).deadLetters(cursor === null ? { limit } : { limit, cursor });
    return {
      items: page.items.map((letter) => ({
        id: letter.id,
        item: letter.undecodable ? letter.undecodable.raw : letter.item,
        decoded: letter.undecodable === undefined,
        attempts: letter.attempts,
        error: letter.error,
        firstFailedAt: letter.firstFailedAt,
        lastFailedAt: letter.lastFailedAt,
      })),
      cursor: page.cursor,
    };
  }

  /** Moves the given dead letters (all when `ids` is absent) back to pending; how many moved. */
  async requeue(queue: string, ids?: string[]): Promise<number> {
    return this.queue(queue).requeue(ids);
  }

  /** Deletes the given dead letters; how many there were. */
  async remove(queue: string, ids: string[]): Promise<number> {
    return this.queue(queue).removeDeadLetters(ids);
  }

  /** Whether a queue of this name has keys in Redis. */
  async hasQueue(queue: string): Promise<boolean> {
    return (await this.queueNames()).includes(queue);
  }

  /** Whether a job of this name was started anywhere. */
  async hasJob(job: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.jobs, job)) === 1;
  }

  private queue(name: string): RedisQueue {
    return new RedisQueue(name, this.redis, { prefix: this.prefix });
  }

  /** Queue names from the documented key layout `<prefix>:q:{<name>}:<part>`, found with SCAN. */
  async queueNames(): Promise<string[]> {
    const match = `${escapeGlob(this.prefix)}:q:{*}:*`;
    const nodes =
      "nodes" in this.redis && typeof this.redis.nodes === "function"
        ? this.redis.nodes("master")
        : [this.redis];
    const names = new Set<string>();
    const start = `${this.prefix}:q:{`;
    for (const node of nodes as Redis[]) {
      let cursor = "0";
      do {
        const [next, keys] = await node.scan(cursor, "MATCH", match, "COUNT", 1000);
        cursor = next;
        for (const key of keys) {
          const end = key.indexOf("}:", start.length);
          if (key.startsWith(start) && end > start.length) names.add(key.slice(start.length, end));
        }
      } while (cursor !== "0");
    }
    return [...names].sort();
  }
}

async function toJobView(job: string, hash: Record<string, string>): Promise<JobView> {
  const schedule = hash.schedule ?? "";
  const timezone = hash.timezone || null;
  const dot = job.indexOf(".");
  const started = hash.lastStartedAt ? Number(hash.lastStartedAt) : null;
  const ended = hash.lastEndedAt ? Number(hash.lastEndedAt) : null;
  return {
    job,
    group: dot > 0 ? job.slice(0, dot) : "",
    schedule,
    timezone,
    scheduleWords: schedule === "" ? "" : cronToWords(schedule),
    nextFireAt: schedule === "" ? null : await nextFire(schedule, timezone),
    lastRun:
      hash.lastScheduledAt && started !== null
        ? {
            scheduledAt: new Date(Number(hash.lastScheduledAt)),
            startedAt: new Date(started),
            endedAt: ended === null ? null : new Date(ended),
            instance: hash.lastInstance ?? "",
            outcome: hash.lastOutcome ?? "",
            durationMs: ended === null ? null : ended - started,
            error: hash.lastError || null,
          }
        : null,
  };
}

/**
 * The next fire after now, from node-cron's own time matcher (what the runner schedules with). A
 * stopped task's getNextRun() is always null, so a throwaway task, never started, answers.
 */
async function nextFire(schedule: string, timezone: string | null): Promise<Date | null> {
  let task: ReturnType<typeof createTask>;
  try {
    task = createTask(schedule, () => {}, timezone ? { timezone } : {});
  } catch {
    return null;
  }
  try {
    return task.getNextRuns(1)[0] ?? null;
  } catch {
    return null;
  } finally {
    await task.destroy();
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
