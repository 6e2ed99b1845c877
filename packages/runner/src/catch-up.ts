import type { JobDefinition } from "@octo/decorators";
import { describeThrown, type LoggerLike } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import { catchUpPlan } from "./decisions";
import type { RunnerKeys } from "./keys";
import { readHistory } from "./ledger";
import type { RunResult } from "./types";

/** What catching up a job needs from the runner. */
export interface CatchUpHost {
  readonly redis: Redis | Cluster;
  readonly keys: RunnerKeys;
  readonly logger: LoggerLike;
  readonly historyLimit: number;
  /** Takes T through the job's catch-up mark and runs it (`not-claimed` when another took it). */
  runLate(def: JobDefinition, T: number): Promise<RunResult>;
  /** Whether the job still runs here (not stopped). */
  active(def: JobDefinition): boolean;
}

/**
 * Runs at most one missed (or crashed, with rerunCrashed) tick of `def` late on this instance:
 * the oldest due one it can take. One per call, and a call per claim of the job and per start, so
 * a backlog spreads over the instances that claim and no claim brings a flood. Never rejects.
 */
export async function catchUpOne(host: CatchUpHost, def: JobDefinition): Promise<void> {
  const settings = def.config.catchUp;
  if (!settings) return;
  try {
    const entries = await readHistory(host.redis, host.keys, def.fullName, host.historyLimit);
    const mark = await host.redis.hget(host.keys.catchUpMark(def.fullName), "T");
    const plan = catchUpPlan(
      entries.map((e) => ({ T: e.scheduledAt.getTime(), outcome: e.outcome })),
      mark === null ? null : Number(mark),
      Date.now(),
      { ...settings, rerunCrashed: def.config.rerunCrashed === true },
    );
    for (const T of plan) {
      if (!host.active(def)) return;
      const result = await host.runLate(def, T);
      // Another instance took T meanwhile: try the next one; otherwise this call's run is done.
      if (result.outcome !== "not-claimed") return;
    }
  } catch (err) {
    host.logger.error({ job: def.fullName, err: describeThrown(err) }, "could not catch up missed ticks");
  }
}
