import type { JobDefinition } from "@octo/decorators";
import type { LoggerLike, TypedEmitter } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import type { JobRunnerEvents } from "./events";
import { readFill } from "./fill-trace";
import type { RunHost } from "./job-run";
import type { JobTable } from "./job-table";
import type { RunnerKeys } from "./keys";
import type { ResolvedRunnerOptions } from "./options";
import { QueueWorkers } from "./queue-workers";
import type { ActiveRuns } from "./stopping";

/** The runner's options after defaults and checks, with the keys under its prefix. */
export type RunnerSettings = ResolvedRunnerOptions & { keys: RunnerKeys };

/** What a start lends the runs and the queue workers of this instance. */
export interface StartedRunner {
  settings: RunnerSettings;
  redis: Redis | Cluster;
  /** The start's logger, bound to the instance. */
  logger: LoggerLike;
  /** Whether `logger` was made with child({ instance }), so lines carry the instance already. */
  instanceBound: boolean;
  jobs: JobTable;
  events: TypedEmitter<JobRunnerEvents>;
  activeRuns: ActiveRuns;
  /** Called after each claim of a scheduled tick: the job may have ticks to catch up. */
  afterClaim(def: JobDefinition): void;
}

/**
 * Assembles what the runs of one start need: the workers of the query jobs' queues, then the run
 * host that reaches them. Made once per start, on the client and logger that start was given.
 */
export function assembleRunHost(started: StartedRunner): RunHost {
  const { settings, redis, logger, jobs } = started;
  const queueOf = (def: JobDefinition) => jobs.queueOf(def, { redis, prefix: settings.prefix, logger });
  const targetOf = (def: JobDefinition) => jobs.targetOf(def);
  const workers = new QueueWorkers({
    instanceId: settings.instanceId,
    logger,
    telemetry: settings.telemetry,
    queueOf,
    targetOf,
    // The T (and, with telemetry, the trace) of the fill whose items are in the queue now.
    fillScheduledAt: (def, l) =>
      readFill(
        redis,
        { fill: settings.keys.fill(def.fullName), trace: settings.keys.fillTrace(def.fullName) },
        settings.telemetry !== undefined,
        l,
      ),
  });
  return {
    ...settings,
    redis,
    logger,
    instanceBound: started.instanceBound,
    workers,
    events: started.events,
    targetOf,
    queueOf,
    afterClaim: started.afterClaim,
    enterRun: (controller) => started.activeRuns.enter(controller),
  };
}
