import { assertNoClashes, type CronGroup, getCronGroups, type JobDefinition } from "@octo/decorators";
import type { LoggerLike } from "@octo/internal";
import { RedisQueue } from "@octo/redis-queue";
import type { Container } from "inversify";
import type { Cluster, Redis } from "ioredis";
import { InvalidRunnerArgumentError, listNames, UnknownJobError } from "./errors";
import type { QueueEventForwarding } from "./event-forwarding";
import { type JobTarget, resolveTarget } from "./targets";
import type { RunResult } from "./types";

/** One job this runner knows, with what this instance holds of it. */
export interface Job {
  def: JobDefinition;
  group: CronGroup;
  queue?: RedisQueue<unknown>;
  /** Runs in progress on this instance. */
  runs: Set<Promise<RunResult>>;
  stopped: boolean;
}

/** Where a query job's queue lives: the runner's client, prefix and logger once started. */
export interface QueuePlace {
  redis: Redis | Cluster;
  prefix: string;
  logger: LoggerLike;
}

/**
 * Every `@cron` job declared, by full name, each with its class bound in the container, its
 * queue (query jobs, made on first use) and its runs in progress. Clashing declarations (two
 * groups or jobs of one name) throw when the table is made.
 */
export class JobTable {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly container: Container,
    private readonly forwarding: QueueEventForwarding,
  ) {
    const groups = getCronGroups();
    assertNoClashes(groups);
    for (const group of groups) {
      const ctor = group.target as new (...args: never[]) => unknown;
      if (!container.isBound(ctor)) container.bind(ctor).toSelf().inSingletonScope();
      for (const def of group.jobs)
        this.jobs.set(def.fullName, { def, group, runs: new Set(), stopped: false });
    }
  }

  get size(): number {
    return this.jobs.size;
  }

  get names(): string[] {
    return [...this.jobs.keys()];
  }

  /** The query jobs: a `@job` paired with a `@query`. */
  get queryDefs(): JobDefinition[] {
    return this.all()
      .filter((job) => job.def.queryMethod !== undefined)
      .map((job) => job.def);
  }

  all(): Job[] {
    return [...this.jobs.values()];
  }

  defs(): JobDefinition[] {
    return this.all().map((job) => job.def);
  }

  find(name: string): Job | undefined {
    return this.jobs.get(name);
  }

  /** The job of `name`; throws `UnknownJobError` when this runner does not know it. */
  job(name: string): Job {
    const job = this.jobs.get(name);
    if (!job) throw new UnknownJobError(name, this.names);
    return job;
  }

  /** The error for a job name that is not a string. */
  badName(name: unknown): InvalidRunnerArgumentError {
    return new InvalidRunnerArgumentError(
      "name",
      name,
      `a job's full name as a string (known jobs: ${listNames(this.names)})`,
    );
  }

  targetOf(def: JobDefinition): JobTarget {
    return resolveTarget(this.container, this.job(def.fullName).group);
  }

  /** The queue of query job `def`, made on first use in `place`, its events forwarded. */
  queueOf(def: JobDefinition, place: QueuePlace): RedisQueue<unknown> {
    const job = this.job(def.fullName);
    job.queue ??= new RedisQueue<unknown>(def.fullName, place.redis as Redis, {
      retries: def.config.retries,
      timeout: def.config.timeout,
      prefix: place.prefix,
      logger: place.logger,
    });
    this.forwarding.adopt(job.queue);
    return job.queue;
  }

  /** Forgets every queue, so the next start builds them on the client it is given. */
  dropQueues(): void {
    for (const job of this.jobs.values()) {
      if (job.queue) this.forwarding.drop(job.queue);
      job.queue = undefined;
    }
  }
}
