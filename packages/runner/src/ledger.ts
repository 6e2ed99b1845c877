import { defineScripts } from "@octo/internal";
import type { StoredHistoryEntry as StoredEntry } from "@octo/state";
import type { Cluster, Redis } from "ioredis";
import type { RunnerKeys } from "./keys";
import recordMissedScript from "./record-missed.lua";
import recordRunScript from "./record-run.lua";
import type { RunTrigger, TickOutcome } from "./types";

// The history is decoded where the CLI reads it too (`octo-jobs history`), so it is written once.
export { readHistory } from "@octo/state";

type LedgerCommands = {
  octoRecordRun(
    running: string,
    history: string,
    job: string,
    runId: string,
    entry: string,
    limit: number,
    outcome: string,
    ...lastRun: Array<string | number>
  ): Promise<number>;
  octoRecordMissed(
    gaps: string,
    history: string,
    job: string,
    T: number,
    limit: number,
    count: number,
    ...entries: string[]
  ): Promise<number>;
};

/** A run in progress as `<prefix>:running:{<job>}` keeps it, under its run id. */
export interface InProgressRecord {
  T: number;
  instance: string;
  /** When the tick was claimed (or `run()` called), on the claimer's clock. */
  claimedAt: number;
  trigger: RunTrigger;
}

/** Every outcome, in the order status() lists counts. */
export const TICK_OUTCOMES: readonly TickOutcome[] = ["succeeded", "failed", "skipped", "missed", "crashed"];

const LEDGER_SCRIPTS = {
  octoRecordRun: { numberOfKeys: 3, lua: recordRunScript },
  octoRecordMissed: { numberOfKeys: 3, lua: recordMissedScript },
};

/** The ledger's scripts on `redis`, defined once (see defineScripts). */
function ledgerScripts(redis: Redis | Cluster): LedgerCommands {
  return defineScripts(redis, LEDGER_SCRIPTS) as unknown as LedgerCommands;
}

/** Defines the ledger's scripts on `redis` before the first run needs them. */
export function defineLedgerCommands(redis: Redis | Cluster): void {
  ledgerScripts(redis);
}

/** The in-progress record, as the claim (or `run()`) writes it. */
export function inProgressRecord(record: InProgressRecord): string {
  return JSON.stringify(record);
}

/** What one finished run records. */
export interface FinishedRun {
  job: string;
  runId: string;
  record: InProgressRecord;
  outcome: "succeeded" | "failed" | "skipped";
  endedAt: number;
  error?: string;
}

/**
 * Records a finished run: its history entry, its outcome's count, and the job's last run, in one
 * script that removes the run's in-progress record. False when the outcome was recorded already
 * (the run was declared crashed meanwhile: its lease had expired).
 */
export async function recordFinishedRun(
  redis: Redis | Cluster,
  keys: RunnerKeys,
  limit: number,
  run: FinishedRun,
): Promise<boolean> {
  const { record, outcome, endedAt, error } = run;
  const entry: StoredEntry = {
    T: record.T,
    outcome,
    trigger: record.trigger,
    instance: record.instance,
    startedAt: record.claimedAt,
    endedAt,
    durationMs: endedAt - record.claimedAt,
    ...(error !== undefined ? { error } : {}),
  };
  const recorded = await ledgerScripts(redis).octoRecordRun(
    keys.running(run.job),
    keys.history(run.job),
    keys.job(run.job),
    run.runId,
    JSON.stringify(entry),
    limit,
    outcome,
    // A skipped fire did not run: the job's last run stays the one before it.
    ...(outcome === "skipped"
      ? []
      : [
          ...["lastScheduledAt", record.T, "lastStartedAt", record.claimedAt, "lastEndedAt", endedAt],
          ...["lastInstance", record.instance, "lastOutcome", outcome, "lastError", error ?? ""],
        ]),
  );
  return recorded === 1;
}

/**
 * Records a run whose claimer died (its lease expired with no outcome) as `crashed`; false when
 * its outcome was recorded meanwhile (by the run itself, or by another checker).
 */
export async function recordCrashedRun(
  redis: Redis | Cluster,
  keys: RunnerKeys,
  limit: number,
  job: string,
  runId: string,
  record: InProgressRecord,
): Promise<boolean> {
  const entry: StoredEntry = {
    T: record.T,
    outcome: "crashed",
    trigger: record.trigger,
    instance: record.instance,
    startedAt: record.claimedAt,
    endedAt: null,
    durationMs: null,
    error: "the run's lease expired with no outcome recorded: its process died or lost Redis",
  };
  const recorded = await ledgerScripts(redis).octoRecordRun(
    keys.running(job),
    keys.history(job),
    keys.job(job),
    runId,
    JSON.stringify(entry),
    limit,
    "crashed",
  );
  return recorded === 1;
}

/**
 * Records `ticks` (ascending) as missed, found by the claim of T; `count` is how many were missed
 * (at least `ticks.length`). False when this claim's gap was recorded already.
 */
export async function recordMissedTicks(
  redis: Redis | Cluster,
  keys: RunnerKeys,
  limit: number,
  job: string,
  T: number,
  ticks: number[],
  count: number,
): Promise<boolean> {
  const entries = ticks.map((t) =>
    JSON.stringify({
      T: t,
      outcome: "missed",
      trigger: "schedule",
      instance: null,
      startedAt: null,
      endedAt: null,
      durationMs: null,
    } satisfies StoredEntry),
  );
  const recorded = await ledgerScripts(redis).octoRecordMissed(
    keys.gaps(job),
    keys.history(job),
    keys.job(job),
    T,
    limit,
    count,
    ...entries,
  );
  return recorded === 1;
}

/** The runs in progress of a job, by run id; a record this version cannot read is left out. */
export async function readRunning(
  redis: Redis | Cluster,
  keys: RunnerKeys,
  job: string,
): Promise<Array<{ runId: string; record: InProgressRecord }>> {
  const all = await redis.hgetall(keys.running(job));
  const out: Array<{ runId: string; record: InProgressRecord }> = [];
  for (const [runId, raw] of Object.entries(all)) {
    try {
      const record = JSON.parse(raw) as InProgressRecord;
      if (typeof record.T === "number" && typeof record.claimedAt === "number") out.push({ runId, record });
    } catch {
      // Not ours to judge: left for whoever wrote it.
    }
  }
  return out;
}
