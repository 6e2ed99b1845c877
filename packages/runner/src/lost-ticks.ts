import type { JobDefinition } from "@octo/decorators";
import { describeThrown, type LoggerLike, type TypedEmitter } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import { mayStillBeStarting, runLeasePeriodMs } from "./decisions";
import type { JobRunnerEvents } from "./events";
import type { RunnerKeys } from "./keys";
import { readRunning, recordCrashedRun, recordMissedTicks } from "./ledger";
import { ticksBetween } from "./schedule";

/** How far apart the clocks of two instances may be before a waiting run looks crashed. */
const CLOCK_SLACK_MS = 5000;

/** What finding missed and crashed ticks needs from the runner. */
export interface LedgerHost {
  readonly redis: Redis | Cluster;
  readonly keys: RunnerKeys;
  readonly logger: LoggerLike;
  readonly historyLimit: number;
  readonly lockWaitMs: number;
  readonly runLeaseMs: number;
  readonly instanceId: string;
  readonly events: TypedEmitter<JobRunnerEvents>;
}

/**
 * Records as `missed` the ticks of `def` strictly between `prevMark` (the mark before this
 * instance claimed T) and T: no instance claimed them, or the mark would be at one of them. One
 * warning per gap, with how many. Never rejects.
 */
export async function recordGap(
  host: LedgerHost,
  def: JobDefinition,
  prevMark: number,
  T: number,
): Promise<void> {
  const job = def.fullName;
  try {
    const { ticks, complete } = ticksBetween(
      def.schedule,
      def.config.timezone,
      prevMark,
      T,
      host.historyLimit,
    );
    if (ticks.length === 0) return;
    const recorded = await recordMissedTicks(
      host.redis,
      host.keys,
      host.historyLimit,
      job,
      T,
      ticks,
      ticks.length,
    );
    if (!recorded) return;
    host.events.emit("tick:missed", {
      job,
      ticks: ticks.map((t) => new Date(t)),
      count: ticks.length,
      instance: host.instanceId,
    });
    host.logger.warn(
      {
        job,
        missed: ticks.length,
        ...(complete ? {} : { earlierNotCounted: true }),
        first: new Date(ticks[0] as number).toISOString(),
        last: new Date(ticks[ticks.length - 1] as number).toISOString(),
        claimedAt: new Date(T).toISOString(),
      },
      complete
        ? `${ticks.length} ticks were missed: no instance claimed them`
        : `at least ${ticks.length} ticks were missed (earlier ones not counted): no instance claimed them`,
    );
  } catch (err) {
    host.logger.error({ job, err: describeThrown(err) }, "could not record the missed ticks");
  }
}

/**
 * Records as `crashed` every run of `def` in progress whose lease is no longer held by it, once
 * it cannot still be waiting for that lease. Never rejects.
 */
export async function recordCrashes(host: LedgerHost, def: JobDefinition): Promise<void> {
  const job = def.fullName;
  try {
    const running = await readRunning(host.redis, host.keys, job);
    if (running.length === 0) return;
    const period = runLeasePeriodMs(host.runLeaseMs, def.config.maxComputeTime);
    const now = Date.now();
    const candidates = running.filter(
      ({ record }) => !mayStillBeStarting(record.claimedAt, now, host.lockWaitMs, period, CLOCK_SLACK_MS),
    );
    if (candidates.length === 0) return;
    // The lease lives in its own slot (the lock's group), so it is read apart from the record;
    // a run that ends meanwhile removes its record first and the crash record then changes nothing.
    const holder = await host.redis.get(host.keys.runLeaseKey(job));
    for (const { runId, record } of candidates) {
      if (holder === runId) continue;
      if (await recordCrashedRun(host.redis, host.keys, host.historyLimit, job, runId, record)) {
        host.logger.warn(
          { job, scheduledAt: new Date(record.T).toISOString(), claimer: record.instance },
          "a run crashed: its lease expired with no outcome recorded",
        );
        host.events.emit("tick:crashed", {
          job,
          scheduledAt: new Date(record.T),
          instance: host.instanceId,
          claimedBy: record.instance,
        });
      }
    }
  } catch (err) {
    host.logger.error({ job, err: describeThrown(err) }, "could not check for crashed runs");
  }
}
