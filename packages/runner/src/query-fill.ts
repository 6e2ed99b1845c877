import type { JobDefinition } from "@octo/decorators";
import type { LoggerLike, Telemetry } from "@octo/internal";
import type { RedisQueue } from "@octo/redis-queue";
import type { Cluster, Redis } from "ioredis";
import { InvalidQueryResultError } from "./errors";
import { type FillKeys, recordFill } from "./fill-trace";
import type { QueueWorkers } from "./queue-workers";
import type { JobTarget } from "./targets";
import type { JobContext } from "./types";

/** Everything one query run needs; built by the run. */
export interface QueryFillRequest {
  def: JobDefinition;
  target: JobTarget;
  queue: RedisQueue<unknown>;
  workers: QueueWorkers;
  redis: Redis | Cluster;
  fillKeys: FillKeys;
  /** The runner's telemetry: the fill then carries the run's trace context. */
  telemetry: Telemetry | undefined;
  /** Context given to the query (attempt filled in per try). */
  context: Omit<JobContext, "attempt">;
  /** Runs `fn` with the job's retries and backoff. */
  withRetries<R>(fn: (attempt: number) => Promise<R>): Promise<R>;
  logger: LoggerLike;
}

/** The query's first batch, and the rest of a streamed result still to read. */
interface OpenedItems {
  first: unknown[];
  rest?: AsyncIterator<unknown>;
}

/**
 * Runs the job's query and fills its queue, then works the queue until it drains on this
 * instance. The query (and a generator's first batch) is read before the fill begins, so a query
 * of any length never holds the queue's fill marker; a query that produced nothing starts no
 * worker and ends at once. Between a generator's batches the run's signal is checked: a stop or
 * maxComputeTime ends the generator there.
 */
export async function runQueryFill(request: QueryFillRequest): Promise<void> {
  const { def, queue, workers, logger } = request;
  const before = await queue.stats();
  if (before.pending + before.inFlight + before.delayed > 0) {
    logger.warn({ ...before }, "queue still had items from an earlier run; not refilled");
    workers.ensure(def);
    await workers.join(def);
    return;
  }
  const opened = await request.withRetries((attempt) => openQuery(request, attempt));
  if (opened.first.length === 0 && !opened.rest) return;
  const { signal } = request.context;
  let streamError: unknown;
  let streamFailed = false;
  // Taken here, where the run's span is active.
  const carrier = request.telemetry?.inject();
  async function* batches(): AsyncGenerator<unknown[]> {
    // fill() iterates only once it holds the queue: T is in Redis before any item can be taken.
    const T = request.context.scheduledAt.getTime();
    await recordFill(request.redis, request.fillKeys, T, request.telemetry, carrier);
    if (opened.first.length > 0) yield opened.first;
    const rest = opened.rest;
    if (!rest) return;
    try {
      for (;;) {
        if (signal.aborted) throw signal.reason;
        const next = await rest.next();
        if (next.done) return;
        yield toBatch(next.value);
      }
    } catch (err) {
      streamFailed = true;
      streamError = err;
    } finally {
      await closeQuietly(rest);
    }
  }
  const filling = queue.fill(batches());
  workers.ensure(def);
  let filled = false;
  try {
    filled = await filling;
  } finally {
    // A fill that lost the race or failed never read the rest: end the query's generator.
    if (!filled) await closeQuietly(opened.rest);
  }
  if (!filled) {
    logger.warn("another fill took the queue first; this run's items were not added");
  }
  await workers.join(def);
  if (streamFailed) {
    logger.error(
      { err: streamError },
      "the query failed after its first batch; the batches before stay queued",
    );
    throw streamError;
  }
}

/** Calls the query once and reads its first batch. */
async function openQuery(request: QueryFillRequest, attempt: number): Promise<OpenedItems> {
  const { def, target } = request;
  const produced = await target[def.queryMethod as string]?.call(target, { ...request.context, attempt });
  if (produced === undefined || produced === null) return { first: [] };
  if (Array.isArray(produced)) return { first: produced };
  if (typeof produced === "string") throw new InvalidQueryResultError(def.fullName, "a string");
  if (typeof (produced as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
    const rest = (produced as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    try {
      const first = await rest.next();
      if (first.done) return { first: [] };
      return { first: toBatch(first.value), rest };
    } catch (err) {
      await closeQuietly(rest);
      throw err;
    }
  }
  // A sync iterable (a Set, a generator function*) holds items, like an array.
  if (typeof (produced as Iterable<unknown>)[Symbol.iterator] === "function") {
    return { first: Array.from(produced as Iterable<unknown>) };
  }
  throw new InvalidQueryResultError(def.fullName, `a ${typeof produced} that is not iterable`);
}

function toBatch(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

async function closeQuietly(iterator: AsyncIterator<unknown> | undefined): Promise<void> {
  try {
    await iterator?.return?.();
  } catch {
    // The query's own clean-up failed after the run already has its outcome; nothing to add.
  }
}
