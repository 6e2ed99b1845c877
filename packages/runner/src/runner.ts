import { assertNoClashes, type CronGroup, getCronGroups, type JobDefinition } from "@octo/decorators";
import {
  childLogger,
  describeThrown,
  type EventListener,
  type LoggerLike,
  silentLogger,
  type Telemetry,
  TypedEmitter,
} from "@octo/internal";
import { RedisQueue } from "@octo/redis-queue";
import type { Container } from "inversify";
import type { Cluster, Redis } from "ioredis";
import { CatchUpHook } from "./catch-up-hook";
import { fireTime, type RunnerState, startDecision } from "./decisions";
import {
  InvalidRunnerArgumentError,
  JobStoppedError,
  listNames,
  RunnerAlreadyStartedError,
  RunnerNotStartedError,
  UnknownJobError,
} from "./errors";
import { QueueEventForwarding } from "./event-forwarding";
import { type JobRunnerEvents, RUNNER_EVENT_NAMES } from "./events";
import { FillListener } from "./fill-listener";
import { readFill } from "./fill-trace";
import { executeRun, type RunHost } from "./job-run";
import { defineClaimCommand, RunnerKeys } from "./keys";
import { defineLedgerCommands, readHistory } from "./ledger";
import {
  AN_IOREDIS_CLIENT,
  hasMethods,
  historyLimitOf,
  resolveRunnerOptions,
  startArgumentError,
} from "./options";
import { QueueWorkers, resumeLeftOver } from "./queue-workers";
import { listenForRunRequests, type RunRequests } from "./run-requests";
import { JobSchedules } from "./schedule";
import { logScheduled, registerJobs, warnAboutUnscheduled } from "./start-up";
import { readStatus } from "./status";
import { type JobTarget, resolveTarget } from "./targets";
import type {
  HistoryEntry,
  HistoryOptions,
  JobRunnerOptions,
  JobStatus,
  RunResult,
  RunTrigger,
} from "./types";

interface Job {
  def: JobDefinition;
  group: CronGroup;
  queue?: RedisQueue<unknown>;
  /** Runs in progress on this instance. */
  runs: Set<Promise<RunResult>>;
  stopped: boolean;
}

/** Thrown inside start() when stop() came meanwhile; start() then unwinds and resolves. */
class StopDuringStart extends Error {}

/**
 * Schedules every `@cron` job and runs each scheduled fire on exactly one instance. Its lifecycle
 * is idle → starting → running → stopping → stopped; a `stop()` in any state is honoured and
 * leaves no timer, task, worker or connection behind. Clashing declarations (two groups or jobs
 * of one name) throw in the constructor.
 */
export class JobRunner {
  readonly instanceId: string;
  readonly prefix: string;
  private readonly keys: RunnerKeys;
  private readonly minClaimTtl: number;
  private readonly lockWaitMs: number;
  private readonly runLeaseMs: number;
  private readonly historyLimit: number;
  private readonly telemetry: Telemetry | undefined;
  private readonly jobs = new Map<string, Job>();
  private state: RunnerState = "idle";
  private stopRequested = false;
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  private redis?: Redis | Cluster;
  private logger: LoggerLike = silentLogger;
  /** Whether `logger` was made with child({ instance }), so lines carry the instance already. */
  private instanceBound = false;
  private schedules?: JobSchedules;
  private workers?: QueueWorkers;
  private fillListener?: FillListener;
  private runRequests?: RunRequests;
  /** Controllers of the runs in progress; stop() aborts each. */
  private readonly activeRuns = new Set<AbortController>();
  private readonly events: TypedEmitter<JobRunnerEvents> = new TypedEmitter(
    RUNNER_EVENT_NAMES,
    () => this.logger,
  );
  private readonly forwarding = new QueueEventForwarding(this.events);
  private readonly catchUps = new CatchUpHook({
    runHost: () => this.runHost(),
    active: (def) => this.jobs.get(def.fullName)?.stopped === false && this.state === "running",
    runLate: (def, T) => this.track(this.job(def.fullName), T, "catch-up"),
  });

  constructor(
    private readonly container: Container,
    options: JobRunnerOptions = {},
  ) {
    const resolved = resolveRunnerOptions(container, options);
    this.prefix = resolved.prefix;
    this.instanceId = resolved.instanceId;
    this.minClaimTtl = resolved.minClaimTtl;
    this.lockWaitMs = resolved.lockWaitMs;
    this.runLeaseMs = resolved.runLeaseMs;
    this.historyLimit = resolved.historyLimit;
    this.telemetry = resolved.telemetry;
    this.keys = new RunnerKeys(this.prefix);
    const groups = getCronGroups();
    assertNoClashes(groups);
    for (const group of groups) {
      const ctor = group.target as new (...args: never[]) => unknown;
      if (!container.isBound(ctor)) container.bind(ctor).toSelf().inSingletonScope();
      for (const def of group.jobs)
        this.jobs.set(def.fullName, { def, group, runs: new Set(), stopped: false });
    }
  }

  /** Full names of every job this runner knows. */
  get jobNames(): string[] {
    return [...this.jobs.keys()];
  }

  /**
   * Full names of the query jobs (a `@job` paired with a `@query`): each fills and works the
   * `RedisQueue` of that name, under `prefix`. What metrics and tools read to find the queues.
   */
  get queueNames(): string[] {
    return [...this.jobs.values()]
      .filter((job) => job.def.queryMethod !== undefined)
      .map((job) => job.def.fullName);
  }

  /**
   * Schedules every job, logs each (name, schedule, time zone, next fire) and starts working
   * queues left with items. Resolves once scheduling is done (it does not wait for any run). A
   * runner starts once: a second call rejects with `RunnerAlreadyStartedError`; a client that is
   * not ioredis or already closed, or a logger without `debug`/`info`/`warn`/`error`, rejects with
   * `InvalidRunnerArgumentError` before anything is written. A start that fails leaves nothing
   * running and may be tried again; a `stop()` during start resolves the start with nothing
   * scheduled.
   */
  start(redis: Redis | Cluster, logger: LoggerLike = silentLogger): Promise<void> {
    if (startDecision(this.state) === "already-started") {
      return Promise.reject(new RunnerAlreadyStartedError(this.instanceId));
    }
    const invalid = startArgumentError(redis, logger);
    if (invalid) return Promise.reject(invalid);
    this.state = "starting";
    this.starting = this.startUp(redis, logger);
    return this.starting;
  }

  private async startUp(redis: Redis | Cluster, logger: LoggerLike): Promise<void> {
    this.redis = redis;
    this.logger = childLogger(logger, { instance: this.instanceId });
    this.instanceBound = typeof logger.child === "function";
    this.schedules = new JobSchedules(this.logger);
    this.workers = new QueueWorkers({
      instanceId: this.instanceId,
      logger: this.logger,
      telemetry: this.telemetry,
      queueOf: (def) => this.queueOf(def),
      targetOf: (def) => this.targetOf(def),
      // The T (and, with telemetry, the trace) of the fill whose items are in the queue now.
      fillScheduledAt: (def, l) =>
        readFill(
          this.redis as Redis | Cluster,
          { fill: this.keys.fill(def.fullName), trace: this.keys.fillTrace(def.fullName) },
          this.telemetry !== undefined,
          l,
        ),
    });
    const honourStop = () => {
      if (this.stopRequested) throw new StopDuringStart();
    };
    try {
      defineClaimCommand(redis);
      defineLedgerCommands(redis);
      await registerJobs(
        redis,
        this.keys,
        [...this.jobs.values()].map((j) => j.def),
      );
      honourStop();
      const queryJobs = [...this.jobs.values()].filter((j) => j.def.queryMethod).map((j) => j.def);
      if (queryJobs.length > 0) {
        this.fillListener = new FillListener(redis, this.logger);
        // Awaited, so that once start() resolves this instance joins every fill.
        await this.fillListener.listen(
          queryJobs.map((def) => ({
            channel: this.queueOf(def).wakeChannel,
            onFill: () => this.onFill(def),
          })),
        );
        honourStop();
      }
      for (const job of this.jobs.values()) {
        await this.schedules.start(job.def, (date) => this.onFire(job, date));
        logScheduled(this.logger, job.def, this.schedules.nextFire(job.def));
      }
      warnAboutUnscheduled(this.logger, this.jobs.size);
      honourStop();
      // Queues left with items by an earlier run are worked again; a read that fails (Redis
      // unreachable, READONLY) starts the worker anyway, whose own failures are owned and logged.
      for (const def of queryJobs) {
        void resumeLeftOver(this.queueOf(def), this.logger, def, () => {
          if (this.state === "running" || this.state === "starting") this.workers?.ensure(def);
        });
      }
      this.state = "running";
      // After "running": requests filed before this start are taken by the first look. Without
      // jobs there is nothing to take, so no connection is opened.
      if (this.jobs.size > 0) {
        this.runRequests = await listenForRunRequests({
          redis,
          prefix: this.prefix,
          logger: this.logger,
          jobNames: () => this.jobNames,
          canRun: (name) => this.state === "running" && this.jobs.get(name)?.stopped === false,
          run: (name) => this.track(this.job(name), fireTime(new Date()), "run"),
        });
      }
      this.catchUps.afterStart([...this.jobs.values()].map((j) => j.def));
    } catch (err) {
      await this.tearDown();
      if (err instanceof StopDuringStart) {
        this.state = "stopped";
        return;
      }
      this.state = "idle";
      throw err;
    }
  }

  /** Runs `name` now on this instance (no tick claim; the job's run lease applies). Never rejects once started. */
  run(name: string): Promise<RunResult> {
    // A promise-returning API reports every failure through the promise, so callers need one error path.
    if (typeof name !== "string") return Promise.reject(this.badName(name));
    const job = this.jobs.get(name);
    if (!job) return Promise.reject(new UnknownJobError(name, this.jobNames));
    if (job.stopped) return Promise.reject(new JobStoppedError(name));
    if (this.state !== "running")
      return Promise.reject(new RunnerNotStartedError(`run(${JSON.stringify(name)})`));
    return this.track(job, fireTime(new Date()), "run");
  }

  /**
   * Cancels future fires of `name` (or of every job) and stops this instance's queue worker of
   * those jobs: items in hand finish, no new ones are taken, the rest stay in Redis. Resolves when
   * the runs in progress and the workers have finished. `stop()` also aborts the runs' signals
   * (a query's too) and closes the runner's own connection; during `start()` it makes the start
   * unwind.
   */
  async stop(name?: string): Promise<void> {
    if (name !== undefined && typeof name !== "string") throw this.badName(name);
    if (name !== undefined) return this.stopJobs([this.job(name)]);
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    if (this.state === "idle") {
      this.state = "stopped";
      return;
    }
    this.stopRequested = true;
    for (const run of this.activeRuns) run.abort(new Error("runner stopped"));
    await this.starting?.catch(() => undefined);
    this.state = "stopping";
    await this.stopJobs([...this.jobs.values()]);
    await this.tearDown();
    this.state = "stopped";
  }

  private async stopJobs(list: Job[]): Promise<void> {
    for (const job of list) job.stopped = true;
    await this.schedules?.stop(list.map((j) => j.def.fullName));
    await Promise.all([
      this.workers?.stop(list.map((j) => j.def)),
      ...list.flatMap((j) => [...j.runs].map((p) => p.catch(() => undefined))),
    ]);
  }

  /** Releases what start() made: tasks, workers, the fill listener's connection. */
  private async tearDown(): Promise<void> {
    for (const run of this.activeRuns) run.abort(new Error("runner stopped"));
    await this.schedules?.stop();
    await this.workers?.stop([...this.jobs.values()].map((j) => j.def));
    await this.fillListener?.close();
    this.fillListener = undefined;
    await this.runRequests?.stop();
    this.runRequests = undefined;
    if (this.state !== "stopping") {
      // A failed start: the next start() builds its queues on the client it is given.
      for (const job of this.jobs.values()) {
        if (job.queue) this.forwarding.drop(job.queue);
        job.queue = undefined;
      }
    }
  }

  /**
   * Calls `listener` with each `event` this instance reports (see the README's "Events");
   * answers the function that unsubscribes it. Listeners run synchronously, in order; one that
   * throws or rejects is logged through the runner's logger and changes nothing else. Throws
   * `InvalidArgumentError` (`ERR_OCTO_INVALID_ARGUMENT`) for an unknown event name or a listener
   * that is not a function.
   */
  on<K extends keyof JobRunnerEvents>(event: K, listener: EventListener<JobRunnerEvents[K]>): () => void {
    const unsubscribe = this.events.on(event, listener);
    this.forwarding.subscribed(event);
    return unsubscribe;
  }

  /** Unsubscribes `listener` from `event` (nothing happens when it was not subscribed). */
  off<K extends keyof JobRunnerEvents>(event: K, listener: EventListener<JobRunnerEvents[K]>): void {
    this.events.off(event, listener);
  }

  /** Every job's schedule, next fire and last run, read from Redis (any instance can answer). */
  async status(redis: Redis | Cluster | undefined = this.redis): Promise<JobStatus[]> {
    if (!redis) throw new RunnerNotStartedError("status()");
    if (!hasMethods(redis, ["smembers", "hgetall", "lindex"])) {
      throw new InvalidRunnerArgumentError("redis", redis, AN_IOREDIS_CLIENT);
    }
    return readStatus(redis, this.keys);
  }

  /**
   * The newest `limit` (default: `historyLimit`) entries of the history of `job`, newest first,
   * as every instance recorded them. Rejects with `InvalidRunnerArgumentError` for a name that is
   * not a string or a limit that is not a positive integer, `UnknownJobError` for a job this
   * runner does not know, `RunnerNotStartedError` before `start()`.
   */
  history(job: string, options: HistoryOptions = {}): Promise<HistoryEntry[]> {
    if (typeof job !== "string") return Promise.reject(this.badName(job));
    if (!this.jobs.has(job)) return Promise.reject(new UnknownJobError(job, this.jobNames));
    const limit = historyLimitOf(options, this.historyLimit);
    if (limit instanceof Error) return Promise.reject(limit);
    if (!this.redis) return Promise.reject(new RunnerNotStartedError(`history(${JSON.stringify(job)})`));
    return readHistory(this.redis, this.keys, job, limit);
  }

  private onFill(def: JobDefinition): void {
    const job = this.jobs.get(def.fullName);
    if (!job || job.stopped || this.state !== "running") return;
    this.workers?.ensure(def);
  }

  private onFire(job: Job, date: Date): void {
    if (job.stopped || this.state !== "running") return;
    void this.track(job, fireTime(date), "schedule");
  }

  /** Starts a run and keeps it in the job's set until it settles; the run never rejects. */
  private track(job: Job, T: number, trigger: RunTrigger): Promise<RunResult> {
    const p = executeRun(this.runHost(), job.def, T, trigger);
    job.runs.add(p);
    void p
      .finally(() => job.runs.delete(p))
      .catch((err: unknown) =>
        this.logger.error({ job: job.def.fullName, err: describeThrown(err) }, "run failed unexpectedly"),
      );
    return p;
  }

  private runHost(): RunHost {
    return {
      redis: this.redis as Redis | Cluster,
      keys: this.keys,
      instanceId: this.instanceId,
      logger: this.logger,
      instanceBound: this.instanceBound,
      minClaimTtl: this.minClaimTtl,
      lockWaitMs: this.lockWaitMs,
      runLeaseMs: this.runLeaseMs,
      historyLimit: this.historyLimit,
      workers: this.workers as QueueWorkers,
      telemetry: this.telemetry,
      targetOf: (def) => this.targetOf(def),
      queueOf: (def) => this.queueOf(def),
      events: this.events,
      afterClaim: (def) => this.catchUps.catchUp(def),
      enterRun: (controller) => {
        if (this.stopRequested) controller.abort(new Error("runner stopped"));
        this.activeRuns.add(controller);
        return () => this.activeRuns.delete(controller);
      },
    };
  }

  private job(name: string): Job {
    const job = this.jobs.get(name);
    if (!job) throw new UnknownJobError(name, this.jobNames);
    return job;
  }

  private targetOf(def: JobDefinition): JobTarget {
    return resolveTarget(this.container, this.job(def.fullName).group);
  }

  private queueOf(def: JobDefinition): RedisQueue<unknown> {
    const job = this.job(def.fullName);
    job.queue ??= new RedisQueue<unknown>(def.fullName, this.redis as Redis, {
      retries: def.config.retries,
      timeout: def.config.timeout,
      prefix: this.prefix,
      logger: this.logger,
    });
    this.forwarding.adopt(job.queue);
    return job.queue;
  }

  private badName(name: unknown): InvalidRunnerArgumentError {
    return new InvalidRunnerArgumentError(
      "name",
      name,
      `a job's full name as a string (known jobs: ${listNames(this.jobNames)})`,
    );
  }
}
