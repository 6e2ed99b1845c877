import { parseHistoryEntry } from "@octo/state";
import type { Cluster, Redis } from "ioredis";
import type { RunnerKeys } from "./keys";
import { TICK_OUTCOMES } from "./ledger";
import { nextFireAt } from "./schedule";
import type { JobStatus, LastRun, RunOutcome, TickOutcome } from "./types";

/** Every job's schedule, next fire and last run, read from Redis (any instance can answer). */
export async function readStatus(redis: Redis | Cluster, keys: RunnerKeys): Promise<JobStatus[]> {
  const names = (await redis.smembers(keys.jobs)).sort();
  const out: JobStatus[] = [];
  for (const job of names) {
    const h = await redis.hgetall(keys.job(job));
    const newest = await redis.lindex(keys.history(job), 0);
    const counts = Object.fromEntries(TICK_OUTCOMES.map((o) => [o, Number(h[`count:${o}`] ?? 0)])) as Record<
      TickOutcome,
      number
    >;
    const timezone = h.timezone || undefined;
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
    out.push({
      job,
      schedule: h.schedule ?? "",
      ...(timezone ? { timezone } : {}),
      nextFireAt: h.schedule ? nextFireAt(h.schedule, timezone) : null,
      lastRun,
      lastOutcome: newest === null ? null : (parseHistoryEntry(job, newest)?.outcome ?? null),
      counts,
    });
  }
  return out;
}
