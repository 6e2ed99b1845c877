import type { JobDefinition } from "@octo/decorators";
import {
  childLogger,
  describeThrown,
  type EventListener,
  type LoggerLike,
  silentLogger,
  TypedEmitter,
} from "@octo/internal";
import type { Container } from "inversify";
import type { Cluster, Redis } from "ioredis";
import { CatchUpHook } from "./catch-up-hook";
import { fireTime, type RunnerState, startDecision } from "./decisions";
import { JobStoppedError, RunnerAlreadyStartedError, RunnerNotStartedError, UnknownJobError } from "./errors";
import { QueueEventForwarding } from "./event-forwarding";
import { type JobRunnerEvents, RUNNER_EVENT_NAMES } from "./events";
import { FillListener } from "./fill-listener";
import { executeRun, type RunHost } from "./job-run";
import { type Job, JobTable } from "./job-table";
import { defineClaimCommand, RunnerKeys } from "./keys";
import { defineLedgerCommands } from "./ledger";
import { resolveRunnerOptions, startArgumentError } from "./options";
import { resumeLeftOver } from "./queue-workers";
import { assembleRunHost, type RunnerSettings } from "./run-host";
import { listenForRunRequests, type RunRequests } from "./run-requests";
import { historyOf, statusOf } from "./runner-reads";
import { JobSchedules } from "./schedule";
import { logScheduled, registerJobs, warnAboutUnscheduled } from "./start-up";
import { ActiveRuns, stopJobs } from "./stopping";
import type {
  HistoryEntry,
  HistoryOptions,
  JobRunnerOptions,
  JobStatus,
  RunResult,
  RunTrigger,
} from "./types";

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
  private readonly settings: RunnerSettings;
  private readonly jobs: JobTable;
  private state: RunnerState = "idle";
  private stopRequested = false;
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  private redis?: Redis | Cluster;
  private logger: LoggerLike = silentLogger;
  /** What this start lends its runs: client, logger, queue workers (made by start()). */
  private host?: RunHost;
  private schedules?: JobSchedules;
  private fillListener?: FillListener;
  private runRequests?: RunRequests;
  private readonly activeRuns = new ActiveRuns(() => this.stopRequested);
  private readonly events: TypedEmitter<JobRunnerEvents> = new TypedEmitter(
    RUNNER_EVENT_NAMES,
    () => this.logger,
  );
  private readonly forwarding = new QueueEventForwarding(this.events);
  private readonly catchUps = new CatchUpHook({
    runHost: () => this.host as RunHost,
    active: (def) => this.jobs.find(def.fullName)?.stopped === false && this.state === "running",
    runLate: (def, T) => this.track(this.jobs.job(def.fullName), T, "catch-up"),
  });

  constructor(container: Container, options: JobRunnerOptions = {}) {
    const resolved = resolveRunnerOptions(container, options);
    this.settings = { ...resolved, keys: new RunnerKeys(resolved.prefix) };
    this.prefix = resolved.prefix;
    this.instanceId = resolved.instanceId;
    this.jobs = new JobTable(container, this.forwarding);
  }

  /** Full names of every job this runner knows. */
  get jobNames(): string[] {
    return this.jobs.names;
  }

  /**
   * Full names of the query jobs (a `@job` paired with a `@query`): each fills and works the
   * `RedisQueue` of that name, under `prefix`. What metrics and tools read to find the queues.
   */
  get queueNames(): string[] {
    return this.jobs.queryDefs.map((def) => def.fullName);
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
    this.schedules = new JobSchedules(this.logger);
    const host = assembleRunHost({
      settings: this.settings,
      redis,
      logger: this.logger,
      instanceBound: typeof logger.child === "function",
      jobs: this.jobs,
      events: this.events,
      activeRuns: this.activeRuns,
      afterClaim: (def) => this.catchUps.catchUp(def),
    });
    this.host = host;
    const honourStop = () => {
      if (this.stopRequested) throw new StopDuringStart();
    };
    try {
      defineClaimCommand(redis);
      defineLedgerCommands(redis);
      await registerJobs(redis, this.settings.keys, this.jobs.defs());
      honourStop();
      const queryJobs = this.jobs.queryDefs;
      if (queryJobs.length > 0) {
        this.fillListener = new FillListener(redis, this.logger);
        // Awaited, so that once start() resolves this instance joins every fill.
        await this.fillListener.listen(
          queryJobs.map((def) => ({
            channel: host.queueOf(def).wakeChannel,
            onFill: () => this.onFill(def),
          })),
        );
        honourStop();
      }
      for (const job of this.jobs.all()) {
        await this.schedules.start(job.def, (date) => this.onFire(job, date));
        logScheduled(this.logger, job.def, this.schedules.nextFire(job.def));
      }
      warnAboutUnscheduled(this.logger, this.jobs.size);
      honourStop();
      // Queues left with items by an earlier run are worked again; a read that fails (Redis
      // unreachable, READONLY) starts the worker anyway, whose own failures are owned and logged.
      for (const def of queryJobs) {
        void resumeLeftOver(host.queueOf(def), this.logger, def, () => {
          if (this.state === "running" || this.state === "starting") host.workers.ensure(def);
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
          canRun: (name) => this.state === "running" && this.jobs.find(name)?.stopped === false,
          run: (name) => this.track(this.jobs.job(name), fireTime(new Date()), "run"),
        });
      }
      this.catchUps.afterStart(this.jobs.defs());
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
    if (typeof name !== "string") return Promise.reject(this.jobs.badName(name));
    const job = this.jobs.find(name);
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
    if (name !== undefined && typeof name !== "string") throw this.jobs.badName(name);
    if (name !== undefined) return stopJobs([this.jobs.job(name)], this.schedules, this.host?.workers);
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    if (this.state === "idle") {
      this.state = "stopped";
      return;
    }
    this.stopRequested = true;
    this.activeRuns.abortAll();
    await this.starting?.catch(() => undefined);
    this.state = "stopping";
    await stopJobs(this.jobs.all(), this.schedules, this.host?.workers);
    await this.tearDown();
    this.state = "stopped";
  }

  /** Releases what start() made: tasks, workers, the fill listener's connection. */
  private async tearDown(): Promise<void> {
    this.activeRuns.abortAll();
    await this.schedules?.stop();
    await this.host?.workers.stop(this.jobs.defs());
    await this.fillListener?.close();
    this.fillListener = undefined;
    await this.runRequests?.stop();
    this.runRequests = undefined;
    // A failed start: the next start() builds its queues on the client it is given.
    if (this.state !== "stopping") this.jobs.dropQueues();
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
  status(redis: Redis | Cluster | undefined = this.redis): Promise<JobStatus[]> {
    return statusOf(redis, this.settings.keys);
  }

  /**
   * The newest `limit` (default: `historyLimit`) entries of the history of `job`, newest first,
   * as every instance recorded them. Rejects with `InvalidRunnerArgumentError` for a name that is
   * not a string or a limit that is not a positive integer, `UnknownJobError` for a job this
   * runner does not know, `RunnerNotStartedError` before `start()`.
   */
  history(job: string, options: HistoryOptions = {}): Promise<HistoryEntry[]> {
    const { keys, historyLimit } = this.settings;
    return historyOf({ jobs: this.jobs, redis: this.redis, keys, historyLimit }, job, options);
  }

  private onFill(def: JobDefinition): void {
    const job = this.jobs.find(def.fullName);
    if (!job || job.stopped || this.state !== "running") return;
    this.host?.workers.ensure(def);
  }

  private onFire(job: Job, date: Date): void {
    if (job.stopped || this.state !== "running") return;
    void this.track(job, fireTime(date), "schedule");
  }

  /** Starts a run and keeps it in the job's set until it settles; the run never rejects. */
  private track(job: Job, T: number, trigger: RunTrigger): Promise<RunResult> {
    const p = executeRun(this.host as RunHost, job.def, T, trigger);
    job.runs.add(p);
    void p
      .finally(() => job.runs.delete(p))
      .catch((err: unknown) =>
        this.logger.error({ job: job.def.fullName, err: describeThrown(err) }, "run failed unexpectedly"),
      );
    return p;
  }
}
