import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { assertNoClashes, type CronGroup, getCronGroups, type JobDefinition } from "@octo/decorators";
import { childLogger, type LoggerLike, silentLogger } from "@octo/logger";
import { acquireLock, releaseLock } from "@octo/redis-lock";
import { RedisQueue } from "@octo/redis-queue";
import type { Container } from "inversify";
import type { Cluster, Redis } from "ioredis";
import { createTask, type ScheduledTask } from "node-cron";
import claimTickScript from "./claim-tick.lua";
import {
  InvalidRunnerArgumentError,
  JobStoppedError,
  listNames,
  RunnerAlreadyStartedError,
  RunnerNotStartedError,
  UnknownJobError,
} from "./errors";

/** Options of `new JobRunner(container, options)`. */
export interface JobRunnerOptions {
  /** Key prefix in Redis, shared with the lock and the queues. @default "octo" */
  prefix?: string;
  /** This instance's id in claims, locks, logs and status. @default `<hostname>-<pid>-<random>` */
  instanceId?: string;
  /** Minimum TTL of a tick claim in ms (the claim lives max(maxComputeTime, this)). @default 60000 */
  minClaimTtl?: number;
  /**
   * How long a claimed fire waits for the job's lock before it is skipped as an overlap. Covers
   * a fast run of another tick that holds the lock at the same instant (clocks apart). @default 1000
   */
  lockWaitMs?: number;
}

/** What a handler receives (a query job's handler gets the item first). */
export interface JobContext {
  job: string;
  /**
   * The fire's scheduled time T. A query job's item handler gets the T of the fire (or `run()`)
   * whose query filled the queue, whichever instance handles the item.
   */
  scheduledAt: Date;
  /** 1-based */
  attempt: number;
  /** Fires when the run passes maxComputeTime or the runner stops. */
  signal: AbortSignal;
  logger: LoggerLike;
  instanceId: string;
}

export type RunOutcome = "succeeded" | "failed" | "skipped" | "not-claimed";

/** The result of one run (or fire) as `run()` resolves it. */
export interface RunResult {
  job: string;
  scheduledAt: Date;
  outcome: RunOutcome;
  instance: string;
  durationMs: number;
  error?: string;
}

/** Last run as stored in Redis. */
export interface LastRun {
  scheduledAt: Date;
  startedAt: Date;
  endedAt: Date;
  instance: string;
  outcome: RunOutcome;
  error?: string;
}

/** One job in `status()`. */
export interface JobStatus {
  job: string;
  schedule: string;
  timezone?: string;
  nextFireAt: Date | null;
  lastRun: LastRun | null;
}

interface Entry {
  def: JobDefinition;
  group: CronGroup;
  task?: ScheduledTask;
  queue?: RedisQueue<unknown>;
  working?: Promise<unknown>;
  /** Aborting it stops this instance's worker loop on the job's queue. */
  workStop?: AbortController;
  inProgress: Set<Promise<unknown>>;
  stopped: boolean;
}

type ClaimCommands = {
  octoClaimTick(key: string, instance: string, ttl: number): Promise<number>;
};

/** Whether `value` is an object with a function under each of `names` (duck typing across copies). */
function hasMethods(value: unknown, names: string[]): boolean {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  return names.every((n) => typeof (value as Record<string, unknown>)[n] === "function");
}

const AN_IOREDIS_CLIENT = "an ioredis Redis or Cluster client (new Redis(url))";

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Schedules every `@cron` job and runs each scheduled fire on exactly one instance.
 * Clashing declarations (two groups or jobs of one name) throw in the constructor.
 */
export class JobRunner {
  readonly instanceId: string;
  readonly prefix: string;
  private readonly minClaimTtl: number;
  private readonly lockWaitMs: number;
  private readonly entries = new Map<string, Entry>();
  private redis?: Redis | Cluster;
  /** Subscribed to the query queues' wake-up channels; see listenForFills. */
  private fillListener?: Redis | Cluster;
  private started = false;
  private logger: LoggerLike = silentLogger;
  /** Whether `logger` was made with child({ instance }), so lines carry the instance already. */
  private instanceBound = false;
  private readonly stopController = new AbortController();

  constructor(
    private readonly container: Container,
    options: JobRunnerOptions = {},
  ) {
    if (!hasMethods(container, ["isBound", "bind", "get"])) {
      throw new InvalidRunnerArgumentError(
        "container",
        container,
        "an inversify Container (new Container())",
      );
    }
    if (typeof options !== "object" || options === null) {
      throw new InvalidRunnerArgumentError("options", options, "an object of JobRunnerOptions or undefined");
    }
    this.prefix = options.prefix ?? "octo";
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
    this.minClaimTtl = options.minClaimTtl ?? 60_000;
    this.lockWaitMs = options.lockWaitMs ?? 1000;
    for (const [argument, value] of [
      ["options.prefix", this.prefix],
      ["options.instanceId", this.instanceId],
    ] as const) {
      if (typeof value !== "string" || value.length === 0) {
        throw new InvalidRunnerArgumentError(argument, value, "a non-empty string");
      }
    }
    if (typeof this.minClaimTtl !== "number" || !Number.isFinite(this.minClaimTtl) || this.minClaimTtl <= 0) {
      throw new InvalidRunnerArgumentError(
        "options.minClaimTtl",
        this.minClaimTtl,
        "a positive number of ms",
      );
    }
    if (typeof this.lockWaitMs !== "number" || !Number.isFinite(this.lockWaitMs) || this.lockWaitMs < 0) {
      throw new InvalidRunnerArgumentError("options.lockWaitMs", this.lockWaitMs, "a number of ms >= 0");
    }
    const groups = getCronGroups();
    assertNoClashes(groups);
    for (const group of groups) {
      const ctor = group.target as new (...args: never[]) => unknown;
      if (!container.isBound(ctor)) container.bind(ctor).toSelf().inSingletonScope();
      for (const def of group.jobs)
        this.entries.set(def.fullName, { def, group, inProgress: new Set(), stopped: false });
    }
  }

  /** Full names of every job this runner knows. */
  get jobNames(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Schedules every job and starts working queues left with items. Resolves once scheduling
   * is done (it does not wait for any run). A runner starts once: a second call rejects with
   * `RunnerAlreadyStartedError`; a client that is not ioredis or already closed, or a logger
   * without `debug`/`info`/`warn`/`error`, rejects with `InvalidRunnerArgumentError`.
   */
  async start(redis: Redis | Cluster, logger: LoggerLike = silentLogger): Promise<void> {
    if (this.started || this.stopController.signal.aborted)
      throw new RunnerAlreadyStartedError(this.instanceId);
    if (!hasMethods(redis, ["defineCommand", "sadd", "hset", "get", "set"])) {
      throw new InvalidRunnerArgumentError("redis", redis, AN_IOREDIS_CLIENT);
    }
    if ((redis as { status?: string }).status === "end") {
      throw new InvalidRunnerArgumentError(
        "redis",
        redis,
        "an open client, but this one was closed by quit() or disconnect(): pass a connected client",
      );
    }
    if (!hasMethods(logger, ["debug", "info", "warn", "error"])) {
      throw new InvalidRunnerArgumentError(
        "logger",
        logger,
        "a logger with debug, info, warn and error methods",
      );
    }
    this.started = true;
    try {
      if (!(redis as unknown as Partial<ClaimCommands>).octoClaimTick) {
        redis.defineCommand("octoClaimTick", { numberOfKeys: 1, lua: claimTickScript });
      }
      // The job list and each job's hash live in different Cluster slots, so no MULTI here:
      // each write is idempotent and a partial one is completed by the next start.
      await Promise.all(
        [...this.entries].flatMap(([name, e]) => [
          redis.sadd(`${this.prefix}:jobs`, name),
          redis.hset(this.jobKey(name), { schedule: e.def.schedule, timezone: e.def.config.timezone ?? "" }),
        ]),
      );
      this.redis = redis;
      this.logger = childLogger(logger, { instance: this.instanceId });
      this.instanceBound = typeof logger.child === "function";
      // Every read happens before anything is scheduled, so a failing start leaves nothing running.
      const leftOver: Entry[] = [];
      for (const e of this.entries.values()) {
        if (!e.def.queryMethod) continue;
        const s = await this.queueOf(e).stats();
        if (s.pending + s.inFlight + s.delayed > 0) {
          this.logger.info({ job: e.def.fullName, ...s }, "resuming queue left with items");
          leftOver.push(e);
        }
      }
      for (const e of leftOver) this.ensureWorking(e);
      for (const e of this.entries.values()) {
        const opts: Record<string, unknown> = { name: e.def.fullName };
        if (e.def.config.timezone) opts.timezone = e.def.config.timezone;
        e.task = createTask(e.def.schedule, (ctx) => this.onFire(e, ctx.date), opts);
        await e.task.start();
      }
      await this.listenForFills(redis);
    } catch (err) {
      this.redis = undefined;
      for (const e of this.entries.values()) e.queue = undefined;
      this.started = false;
      throw err;
    }
  }

  /** Runs `name` now on this instance (no tick claim, but the maxComputeTime lock applies). */
  run(name: string): Promise<RunResult> {
    // A promise-returning API reports every failure through the promise, so callers need one error path.
    if (typeof name !== "string") return Promise.reject(this.badName(name));
    const e = this.entries.get(name);
    if (!e) return Promise.reject(new UnknownJobError(name, this.jobNames));
    if (!this.redis) return Promise.reject(new RunnerNotStartedError(`run(${JSON.stringify(name)})`));
    if (e.stopped) return Promise.reject(new JobStoppedError(name));
    return this.track(e, this.execute(e, Math.floor(Date.now() / 1000) * 1000, false));
  }

  /**
   * Cancels future fires of `name` (or of every job) and stops this instance's queue worker of
   * those jobs: items in hand finish, no new ones are taken, the rest stay in Redis. Resolves when
   * the runs in progress and the workers have finished. `stop()` also aborts the runs' signals.
   */
  async stop(name?: string): Promise<void> {
    if (name !== undefined && typeof name !== "string") throw this.badName(name);
    const list = name === undefined ? [...this.entries.values()] : [this.entry(name)];
    for (const e of list) {
      e.stopped = true;
      e.workStop?.abort(new Error("job stopped"));
    }
    if (name === undefined) this.stopController.abort();
    for (const e of list) {
      await e.task?.stop();
      await e.task?.destroy();
    }
    if (name === undefined) await this.closeFillListener();
    await Promise.allSettled(list.flatMap((e) => [...e.inProgress, e.working]));
    if (name === undefined) for (const e of this.entries.values()) await e.queue?.close();
  }

  /**
   * Joins every fill of a query job's queue, whoever filled it and whatever this instance's
   * ticks did: a fire this instance missed (an event loop blocked past node-cron's tolerance, a
   * clock far behind) or a `run()` on another instance would otherwise leave it out. One
   * connection of its own, subscribed to the queues' wake-up channels, closed by `stop()`.
   */
  private async listenForFills(redis: Redis | Cluster): Promise<void> {
    const channels = new Map<string, Entry>();
    for (const e of this.entries.values()) {
      if (e.def.queryMethod) channels.set(this.queueOf(e).wakeChannel, e);
    }
    if (channels.size === 0) return;
    // ioredis 6 types Redis's and Cluster's duplicate() with overloads a union cannot call.
    const duplicate: () => Redis | Cluster = redis.duplicate.bind(redis);
    const listener = duplicate();
    this.fillListener = listener;
    listener.on("error", (err: unknown) =>
      this.logger.debug({ err }, "fill listener connection error; ticks still start the workers"),
    );
    listener.on("message", (channel: string) => {
      const e = channels.get(channel);
      if (!e || e.stopped || e.working || this.fillListener !== listener) return;
      this.ensureWorking(e).catch((err) =>
        this.logger.error({ err, job: e.def.fullName }, "queue worker failed"),
      );
    });
    // Awaited, so that once start() resolves this instance joins every fill.
    await listener.subscribe(...channels.keys()).catch((err: unknown) => {
      this.logger.warn({ err }, "could not subscribe to fills; workers start on ticks only");
    });
  }

  private async closeFillListener(): Promise<void> {
    const listener = this.fillListener;
    if (!listener) return;
    this.fillListener = undefined;
    // QUIT waits for a reconnecting connection; never let that hold up stop().
    await Promise.race([listener.quit().catch(() => undefined), sleep(1000)]);
    listener.disconnect();
  }

  /** Every job's schedule, next fire and last run, read from Redis (any instance can answer). */
  async status(redis: Redis | Cluster | undefined = this.redis): Promise<JobStatus[]> {
    if (!redis) throw new RunnerNotStartedError("status()");
    if (!hasMethods(redis, ["smembers", "hgetall"])) {
      throw new InvalidRunnerArgumentError("redis", redis, AN_IOREDIS_CLIENT);
    }
    const names = (await redis.smembers(`${this.prefix}:jobs`)).sort();
    const out: JobStatus[] = [];
    for (const job of names) {
      const h = await redis.hgetall(this.jobKey(job));
      const timezone = h.timezone || undefined;
      let nextFireAt: Date | null = null;
      if (h.schedule) {
        const t = createTask(h.schedule, () => {}, timezone ? { timezone } : {});
        nextFireAt = t.getNextRun();
        await t.destroy();
      }
      const lastRun: LastRun | null = h.lastScheduledAt
        ? {
            scheduledAt: new Date(Number(h.lastScheduledAt)),
            startedAt: new Date(Number(h.lastStartedAt)),
            endedAt: new Date(Number(h.lastEndedAt)),
            instance: h.lastInstance ?? "",
            outcome: h.lastOutcome as RunOutcome,
            ...(h.lastError ? { error: h.lastError } : {}),
          }
        : null;
      out.push({ job, schedule: h.schedule ?? "", ...(timezone ? { timezone } : {}), nextFireAt, lastRun });
    }
    return out;
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (!e) throw new UnknownJobError(name, this.jobNames);
    return e;
  }

  private badName(name: unknown): InvalidRunnerArgumentError {
    return new InvalidRunnerArgumentError(
      "name",
      name,
      `a job's full name as a string (known jobs: ${listNames(this.jobNames)})`,
    );
  }

  private jobKey(name: string): string {
    return `${this.prefix}:job:{${name}}`;
  }

  /** Scheduled time (ms) of the fire whose query last filled the job's queue; same slot as the queue. */
  private fillKey(name: string): string {
    return `${this.prefix}:fill:{${name}}`;
  }

  /**
   * The T of the fill whose items are in the queue now: a fill begins only when the queue holds
   * no pending, in-flight or delayed item, so while an item is in hand the key belongs to its
   * fill. ensureWorking reads it once per stretch of running handlers.
   */
  private async fillScheduledAt(e: Entry, logger: LoggerLike): Promise<Date> {
    try {
      const stored = await (this.redis as Redis).get(this.fillKey(e.def.fullName));
      if (stored !== null && Number.isFinite(Number(stored))) return new Date(Number(stored));
    } catch (err) {
      logger.warn({ err }, "could not read the scheduled time of the queue's fill; using the handling time");
    }
    // No key: the items were filled before the runner recorded T with a fill.
    return new Date();
  }

  private track<R>(e: Entry, p: Promise<R>): Promise<R> {
    e.inProgress.add(p);
    p.finally(() => e.inProgress.delete(p)).catch(() => {});
    return p;
  }

  private onFire(e: Entry, date: Date): void {
    if (e.stopped) return;
    // T is the scheduled second, not the wall clock at callback time: every instance derives
    // the same T for one fire, so the claim key is the same.
    const T = Math.floor(date.getTime() / 1000) * 1000;
    this.track(e, this.execute(e, T, true)).catch((err) =>
      this.logger.error({ err, job: e.def.fullName }, "fire failed"),
    );
  }

  private async claim(e: Entry, T: number): Promise<boolean> {
    const redis = this.redis as unknown as ClaimCommands;
    const ttl = Math.max(e.def.config.maxComputeTime, this.minClaimTtl);
    return (
      (await redis.octoClaimTick(`${this.prefix}:tick:{${e.def.fullName}}:${T}`, this.instanceId, ttl)) === 1
    );
  }

  private queueOf(e: Entry): RedisQueue<unknown> {
    if (!e.queue) {
      e.queue = new RedisQueue<unknown>(e.def.fullName, this.redis as Redis, {
        retries: e.def.config.retries,
        timeout: e.def.config.timeout,
        prefix: this.prefix,
        logger: this.logger,
      });
    }
    return e.queue;
  }

  private instanceOf(e: Entry): Record<string, (...args: unknown[]) => unknown> {
    return this.container.get(e.group.target as never) as Record<string, (...args: unknown[]) => unknown>;
  }

  /** Works the job's queue on this instance unless it already does; one worker loop per job. */
  private ensureWorking(e: Entry): Promise<unknown> {
    if (e.working) return e.working;
    // A stopped job's items stay in Redis for other instances or the next start.
    if (e.stopped) return Promise.resolve();
    const stop = new AbortController();
    const target = this.instanceOf(e);
    const handler = target[e.def.method] as (item: unknown, ctx: JobContext) => Promise<void>;
    const logger = childLogger(this.logger, { job: e.def.fullName });
    // The fill's scheduled time, read once per stretch of handlers running without a gap: a new
    // fill begins only once the queue is empty, and an item held by a running handler keeps it
    // from being empty, so the value cannot change until this instance's running count hits 0.
    let running = 0;
    let scheduledAt: Promise<Date> | undefined;
    const instanceId = this.instanceId;
    const p = this.queueOf(e)
      .work(
        async (item, w) => {
          running++;
          try {
            scheduledAt ??= this.fillScheduledAt(e, logger);
            await handler.call(target, item, {
              job: e.def.fullName,
              scheduledAt: await scheduledAt,
              attempt: w.attempt,
              // A getter: the queue makes an item's signal only when someone asks for it.
              get signal() {
                return w.signal;
              },
              logger,
              instanceId,
            });
          } finally {
            if (--running === 0) scheduledAt = undefined;
          }
        },
        { logger, parallelism: e.def.config.parallelism, signal: stop.signal },
      )
      .finally(() => {
        e.working = undefined;
        e.workStop = undefined;
      });
    e.working = p;
    e.workStop = stop;
    return p;
  }

  private async execute(e: Entry, T: number, claimNeeded: boolean): Promise<RunResult> {
    const { def } = e;
    const job = def.fullName;
    const scheduledAt = new Date(T);
    const redis = this.redis as Redis;
    const claimed = claimNeeded ? await this.claim(e, T) : true;
    if (!claimed) {
      // Every instance works a query job's queue when the tick fires, claimed or not.
      if (def.queryMethod) await this.ensureWorking(e);
      return { job, scheduledAt, outcome: "not-claimed", instance: this.instanceId, durationMs: 0 };
    }
    const owner = `${this.instanceId}:${T}`;
    const lockName = `job:${job}`;
    const startedAt = Date.now();
    let locked = await acquireLock(redis, lockName, owner, def.config.maxComputeTime, {
      prefix: this.prefix,
    });
    for (const until = Date.now() + this.lockWaitMs; !locked && Date.now() < until; ) {
      await sleep(50);
      locked = await acquireLock(redis, lockName, owner, def.config.maxComputeTime, { prefix: this.prefix });
    }
    if (!locked) {
      this.logger.warn(
        { job, scheduledAt: scheduledAt.toISOString() },
        "skipped: the previous run still holds the job's maxComputeTime lock",
      );
      return { job, scheduledAt, outcome: "skipped", instance: this.instanceId, durationMs: 0 };
    }
    const ac = new AbortController();
    const onStop = () => ac.abort(new Error("runner stopped"));
    this.stopController.signal.addEventListener("abort", onStop, { once: true });
    const overrun = setTimeout(() => {
      this.logger.warn(
        { job, scheduledAt: scheduledAt.toISOString(), maxComputeTime: def.config.maxComputeTime },
        "run passed maxComputeTime; its signal was aborted",
      );
      ac.abort(new Error(`job ${job} passed maxComputeTime`));
    }, def.config.maxComputeTime);
    const logger = childLogger(this.logger, { job, scheduledAt: scheduledAt.toISOString() });
    const target = this.instanceOf(e);
    let outcome: RunOutcome = "succeeded";
    let error: string | undefined;
    try {
      if (def.queryMethod) {
        await this.runQueryJob(e, target, scheduledAt, ac.signal, logger);
      } else {
        const handler = target[def.method] as (ctx: JobContext) => Promise<unknown>;
        await this.withRetries(e, ac.signal, logger, (attempt) =>
          handler.call(target, {
            job,
            scheduledAt,
            attempt,
            signal: ac.signal,
            logger,
            instanceId: this.instanceId,
          }),
        );
      }
    } catch (err) {
      outcome = "failed";
      error = err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(overrun);
      this.stopController.signal.removeEventListener("abort", onStop);
    }
    const endedAt = Date.now();
    await releaseLock(redis, lockName, owner, { prefix: this.prefix }).catch(() => false);
    await redis
      .hset(this.jobKey(job), {
        lastScheduledAt: T,
        lastStartedAt: startedAt,
        lastEndedAt: endedAt,
        lastInstance: this.instanceId,
        lastOutcome: outcome,
        lastError: error ?? "",
      })
      .catch((err) => this.logger.error({ err, job }, "could not record the last run"));
    const result: RunResult = {
      job,
      scheduledAt,
      outcome,
      instance: this.instanceId,
      durationMs: endedAt - startedAt,
    };
    if (error !== undefined) result.error = error;
    const fields: Record<string, unknown> = {
      job,
      scheduledAt: scheduledAt.toISOString(),
      durationMs: result.durationMs,
      outcome,
    };
    // A logger with child() already carries the instance; a plain one gets it here.
    if (!this.instanceBound) fields.instance = this.instanceId;
    if (outcome === "failed") this.logger.error({ ...fields, error }, "job run failed");
    else this.logger.info(fields, "job run finished");
    return result;
  }

  private async withRetries<R>(
    e: Entry,
    signal: AbortSignal,
    logger: LoggerLike,
    fn: (attempt: number) => Promise<R>,
  ): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (err) {
        if (attempt > e.def.config.retries || signal.aborted) throw err;
        const wait = e.def.config.timeout * 2 ** (attempt - 1);
        logger.warn({ err, attempt, retryInMs: wait }, "attempt failed; retrying");
        await sleep(wait, signal);
        if (signal.aborted) throw err;
      }
    }
  }

  private async runQueryJob(
    e: Entry,
    target: Record<string, (...args: unknown[]) => unknown>,
    scheduledAt: Date,
    signal: AbortSignal,
    logger: LoggerLike,
  ): Promise<void> {
    const queue = this.queueOf(e);
    const queryMethod = e.def.queryMethod as string;
    let queryError: unknown;
    const self = this;
    const redis = this.redis as Redis;
    const fillKey = this.fillKey(e.def.fullName);
    // The query runs inside fill's iterable so the queue is marked "filling" before the query
    // starts: workers on other instances do not see an empty, drained queue meanwhile.
    async function* items(): AsyncGenerator<unknown[]> {
      // fill() iterates only once it holds the queue (empty, no other fill), and appends only
      // what this yields: T is in Redis before any item of this fill can be taken.
      await redis.set(fillKey, String(scheduledAt.getTime()));
      try {
        const produced = await self.withRetries(e, signal, logger, async () => {
          const r = await target[queryMethod]?.call(target);
          return r;
        });
        if (Array.isArray(produced)) {
          if (produced.length > 0) yield produced;
        } else if (
          produced &&
          typeof (produced as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function"
        ) {
          for await (const batch of produced as AsyncIterable<unknown>) {
            yield Array.isArray(batch) ? batch : [batch];
          }
        }
      } catch (err) {
        queryError = err;
      }
    }
    const fillP = queue.fill(items());
    const workP = this.ensureWorking(e);
    const filled = await fillP;
    if (!filled) logger.warn({ scheduledAt }, "queue still had items from an earlier run; not refilled");
    await workP;
    if (e.working) await e.working;
    if (queryError) {
      logger.error({ err: queryError }, "query failed after its retries");
      throw queryError;
    }
  }
}
