import type { JobDefinition } from "@octo/decorators";
import { describeThrown, type LoggerLike } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import type { RunnerKeys } from "./keys";

/**
 * The T of the fill whose items are in the queue now: a fill begins only when the queue holds
 * no pending, in-flight or delayed item, so while an item is in hand the key belongs to its fill.
 */
export async function fillScheduledAt(
  redis: Redis | Cluster,
  keys: RunnerKeys,
  def: JobDefinition,
  logger: LoggerLike,
): Promise<Date> {
  try {
    const stored = await redis.get(keys.fill(def.fullName));
    if (stored !== null && Number.isFinite(Number(stored))) return new Date(Number(stored));
  } catch (err) {
    logger.warn(
      { err: describeThrown(err) },
      "could not read the scheduled time of the queue's fill; using the handling time",
    );
  }
  // No key: the items were filled before the runner recorded T with a fill.
  return new Date();
}
