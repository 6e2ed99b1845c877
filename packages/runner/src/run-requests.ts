import { describeThrown, type LoggerLike } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";

/** How often this instance looks for requests it got no message for (a reconnect, a request filed before start). */
export const RUN_REQUEST_POLL_MS = 5_000;

/** What the run requests need from their runner. */
export interface RunRequestHost {
  redis: Redis | Cluster;
  prefix: string;
  logger: LoggerLike;
  /** Whether this instance may run `job` now: registered here, not stopped, runner running. */
  canRun(job: string): boolean;
  /** Every job this instance has registered. */
  jobNames(): string[];
  /** Runs `job` like `run(job)`; resolves when the run ended and never rejects. */
  run(job: string): Promise<unknown>;
}

/**
 * Runs the "run now" requests that `@octo/dashboard` (or anything else) files in Redis: a JSON
 * `{ id, job, requestedAt }` pushed onto `<prefix>:run-requests:{<job>}` and the job's name
 * published on `<prefix>:run-requests`. An instance that has the job takes each request with
 * `LPOP`, so exactly one instance runs it, when the message comes, at start, and every
 * RUN_REQUEST_POLL_MS. One connection of its own (`redis.duplicate()`) listens; `stop()` closes it.
 */
export class RunRequests {
  private connection?: Redis | Cluster;
  private timer?: NodeJS.Timeout;
  private readonly draining = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly host: RunRequestHost) {}

  /** The channel told a job's name when a request for it is filed. */
  get channel(): string {
    return `${this.host.prefix}:run-requests`;
  }

  /** The list of a job's requests; the job's name is its hash tag, as in the runner's other keys. */
  list(job: string): string {
    return `${this.host.prefix}:run-requests:{${job}}`;
  }

  async start(): Promise<void> {
    // ioredis 6 types Redis's and Cluster's duplicate() with overloads a union cannot call.
    const duplicate: () => Redis | Cluster = this.host.redis.duplicate.bind(this.host.redis);
    const connection = duplicate();
    this.connection = connection;
    connection.on("error", (err: unknown) =>
      this.host.logger.debug(
        { err: describeThrown(err) },
        "run request listener connection error; polling goes on",
      ),
    );
    connection.on("message", (_channel: string, job: string) => this.drain(job));
    await connection.subscribe(this.channel).catch((err: unknown) => {
      this.host.logger.warn(
        { err: describeThrown(err) },
        `could not subscribe to run requests; they are taken every ${RUN_REQUEST_POLL_MS} ms`,
      );
    });
    this.drainAll();
    this.timer = setInterval(() => this.drainAll(), RUN_REQUEST_POLL_MS);
    this.timer.unref();
  }

  private drainAll(): void {
    for (const job of this.host.jobNames()) this.drain(job);
  }

  /**
   * Takes a job's requests one at a time, each run ending before the next is taken: a request
   * taken while the previous one still runs would find the job's run lease held and be skipped.
   */
  private drain(job: string): void {
    if (this.stopped || this.draining.has(job) || !this.host.canRun(job)) return;
    const drained = this.takeAll(job)
      .catch((err: unknown) =>
        this.host.logger.warn(
          { job, err: describeThrown(err) },
          "could not take run requests; trying again later",
        ),
      )
      .finally(() => this.draining.delete(job));
    this.draining.set(job, drained);
  }

  private async takeAll(job: string): Promise<void> {
    while (!this.stopped && this.host.canRun(job)) {
      const text = await this.host.redis.lpop(this.list(job));
      if (text === null) return;
      let request: { id?: unknown; requestedAt?: unknown };
      try {
        request = JSON.parse(text) as typeof request;
      } catch {
        this.host.logger.warn({ job, request: text }, "dropping a run request that is not JSON");
        continue;
      }
      this.host.logger.info(
        { job, request: request.id, requestedAt: request.requestedAt },
        "running a requested run",
      );
      await this.host.run(job);
    }
  }

  /** Takes no more requests, closes the connection, and waits for the runs it started. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const connection = this.connection;
    this.connection = undefined;
    if (connection) {
      // QUIT waits for a reconnecting connection; never let that hold up stop().
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        connection.quit().catch(() => undefined),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 1000);
        }),
      ]);
      clearTimeout(timer);
      connection.disconnect();
    }
    await Promise.all(this.draining.values());
  }
}

/** Takes the run requests filed in Redis for the runner's jobs from now on; resolves once it listens. */
export async function listenForRunRequests(host: RunRequestHost): Promise<RunRequests> {
  const requests = new RunRequests(host);
  try {
    await requests.start();
  } catch (err) {
    await requests.stop();
    throw err;
  }
  return requests;
}
