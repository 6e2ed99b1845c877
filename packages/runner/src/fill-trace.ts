import { describeThrown, type LoggerLike, type Telemetry, type TraceCarrier } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";

/** What the runner keeps in Redis about the fill whose items are in a job's queue. */
export interface FillInfo {
  /** T of the fire whose query filled the queue (the handling time when unknown). */
  scheduledAt: Date;
  /** The trace context of the run that filled it, when that run was traced. */
  trace: TraceCarrier | null;
}

/** The fill's keys: `<prefix>:fill:{job}` (T) and its sibling `<prefix>:fill:{job}:trace`. */
export interface FillKeys {
  fill: string;
  trace: string;
}

/**
 * Records that the run of tick T fills the queue: T, and with telemetry the run's trace context,
 * once per fill. The trace lives in a sibling key rather than in the T key, so an instance of an
 * older version still reads T as a number; it carries T too, so a reader can tell that it belongs
 * to the current fill and not to an earlier traced one (a fill by an instance without telemetry
 * writes only T). Written before any item of the fill can be taken.
 */
export async function recordFill(
  redis: Redis | Cluster,
  keys: FillKeys,
  T: number,
  telemetry: Telemetry | undefined,
  carrier: TraceCarrier | undefined,
): Promise<void> {
  if (!telemetry) {
    await redis.set(keys.fill, String(T));
    return;
  }
  // Both keys carry the job's hash tag: one slot, one MULTI.
  const multi = redis.multi().set(keys.fill, String(T));
  if (carrier) multi.set(keys.trace, JSON.stringify({ T, carrier }));
  else multi.del(keys.trace);
  const replies = await multi.exec();
  const failed = replies?.find(([err]) => err);
  if (failed) throw failed[0];
}

/**
 * Reads the fill whose items are in the queue now: a fill begins only when the queue holds no
 * pending, in-flight or delayed item, so while an item is in hand the keys belong to its fill.
 * Never throws: a failed read gives the handling time and no trace.
 */
export async function readFill(
  redis: Redis | Cluster,
  keys: FillKeys,
  withTrace: boolean,
  logger: LoggerLike,
): Promise<FillInfo> {
  try {
    const [stored, trace] = withTrace
      ? await redis.mget(keys.fill, keys.trace)
      : [await redis.get(keys.fill), null];
    if (stored !== null && stored !== undefined && Number.isFinite(Number(stored))) {
      const T = Number(stored);
      return { scheduledAt: new Date(T), trace: traceOf(trace ?? null, T) };
    }
  } catch (err) {
    logger.warn(
      { err: describeThrown(err) },
      "could not read the scheduled time of the queue's fill; using the handling time",
    );
  }
  // No key: the items were filled before the runner recorded T with a fill.
  return { scheduledAt: new Date(), trace: null };
}

/** The carrier stored for the fill of T, or null when the stored one is missing, unreadable or another fill's. */
function traceOf(stored: string | null, T: number): TraceCarrier | null {
  if (stored === null) return null;
  try {
    const parsed = JSON.parse(stored) as { T?: unknown; carrier?: unknown };
    if (parsed.T !== T || typeof parsed.carrier !== "object" || parsed.carrier === null) return null;
    const carrier: TraceCarrier = {};
    for (const [field, value] of Object.entries(parsed.carrier)) {
      if (typeof value === "string") carrier[field] = value;
    }
    return carrier;
  } catch {
    return null;
  }
}
