import type { Cluster, Redis } from "ioredis";
import type { StateKeys } from "./keys";

/**
 * How a tick (or a `run()`) ended, as its history records it: `succeeded`, `failed`, `skipped`
 * (the previous run still held the job), `missed` (no instance claimed it: every instance was
 * down, or blocked), `crashed` (its claimer died: the run's lease expired with no outcome).
 */
export type TickOutcome = "succeeded" | "failed" | "skipped" | "missed" | "crashed";

/** What started a run: its schedule, `run()`, or a catch-up of a missed or crashed tick. */
export type RunTrigger = "schedule" | "run" | "catch-up";

/** One entry of a job's history (`runner.history(job)`). */
export interface HistoryEntry {
  job: string;
  /** The tick T (for `run()`, the second it was called). */
  scheduledAt: Date;
  outcome: TickOutcome;
  trigger: RunTrigger;
  /** The instance that claimed it; `null` for a missed tick. */
  instance: string | null;
  /** When it was claimed (or `run()` called); `null` for a missed tick. */
  startedAt: Date | null;
  /** When its outcome was known; `null` for a missed or crashed tick. */
  endedAt: Date | null;
  /** `endedAt - startedAt`; `null` for a missed or crashed tick. */
  durationMs: number | null;
  /** What failed, for `failed` and `crashed`. */
  error?: string;
}

/** A history entry as the runner stores it in `<prefix>:history:{<job>}`: JSON, times in ms. */
export interface StoredHistoryEntry {
  T: number;
  outcome: TickOutcome;
  trigger: RunTrigger;
  instance: string | null;
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
  error?: string;
}

/** Parses one stored history entry; `null` for something this version cannot read. */
export function parseHistoryEntry(job: string, raw: string): HistoryEntry | null {
  let e: StoredHistoryEntry;
  try {
    e = JSON.parse(raw) as StoredHistoryEntry;
  } catch {
    return null;
  }
  if (typeof e !== "object" || e === null || typeof e.T !== "number") return null;
  const date = (ms: number | null | undefined) => (typeof ms === "number" ? new Date(ms) : null);
  return {
    job,
    scheduledAt: new Date(e.T),
    outcome: e.outcome,
    trigger: e.trigger,
    instance: e.instance ?? null,
    startedAt: date(e.startedAt),
    endedAt: date(e.endedAt),
    durationMs: typeof e.durationMs === "number" ? e.durationMs : null,
    ...(e.error !== undefined ? { error: e.error } : {}),
  };
}

/** The newest `limit` entries of a job's history, newest first. */
export async function readHistory(
  redis: Redis | Cluster,
  keys: StateKeys,
  job: string,
  limit: number,
): Promise<HistoryEntry[]> {
  const raw = await redis.lrange(keys.history(job), 0, limit - 1);
  return raw.map((r) => parseHistoryEntry(job, r)).filter((e): e is HistoryEntry => e !== null);
}
