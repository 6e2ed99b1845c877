import { describeThrown, type LoggerLike } from "@octo/internal";
import type { QueueStats } from "@octo/redis-queue";
import type { Gauge } from "prom-client";

/** The gauges read from Redis at scrape time, each labelled by `queue`. */
export interface DepthGauges {
  pending: Gauge<"queue">;
  inFlight: Gauge<"queue">;
  delayed: Gauge<"queue">;
  dead: Gauge<"queue">;
  oldestPendingAge: Gauge<"queue">;
  /** 1 when this scrape read the queue's counts, 0 when it could not (its depth series are absent). */
  up: Gauge<"queue">;
}

/** A queue whose counts are read: `stats()` is one script call, one round trip. */
export interface DepthSource {
  readonly name: string;
  stats(): Promise<QueueStats>;
}

/**
 * Reads every queue's counts when Prometheus scrapes, all queues in parallel, one `stats()` per
 * queue per scrape however many gauges ask. A queue that does not answer within the timeout (or
 * fails) has its depth series left out of that scrape and `up` at 0: the scrape itself still
 * answers, with every counter, and no stale count passes for a fresh one.
 */
export class QueueDepth {
  /** The scrape in progress: every gauge's collect of one scrape waits on this one reading. */
  private reading: Promise<void> | undefined;
  /** A `stats()` still unanswered (Redis down): the next scrape waits on it instead of piling up calls. */
  private readonly unanswered = new Map<string, Promise<QueueStats>>();
  private readonly unreadable = new Set<string>();

  constructor(
    private readonly gauges: DepthGauges,
    private readonly sources: readonly DepthSource[],
    private readonly timeoutMs: number,
    private readonly logger: LoggerLike,
  ) {}

  /** Updates the gauges from Redis; never rejects, so a scrape never fails because of Redis. */
  refresh(): Promise<void> {
    if (!this.reading) {
      this.reading = Promise.all(this.sources.map((source) => this.readOne(source))).then(() => {
        this.reading = undefined;
      });
    }
    return this.reading;
  }

  private async readOne(source: DepthSource): Promise<void> {
    const labels = { queue: source.name };
    try {
      const stats = await withTimeout(this.statsOf(source), this.timeoutMs);
      this.gauges.pending.set(labels, stats.pending);
      this.gauges.inFlight.set(labels, stats.inFlight);
      this.gauges.delayed.set(labels, stats.delayed);
      this.gauges.dead.set(labels, stats.dead);
      if (stats.oldestPendingAgeMs !== null)
        this.gauges.oldestPendingAge.set(labels, stats.oldestPendingAgeMs / 1000);
      // Nothing pending waits for no time; a head item from fill() records no time to measure from.
      else if (stats.pending === 0) this.gauges.oldestPendingAge.set(labels, 0);
      else this.gauges.oldestPendingAge.remove(labels);
      this.gauges.up.set(labels, 1);
      if (this.unreadable.delete(source.name)) {
        this.logger.info({ queue: source.name }, "queue depth is readable again");
      }
    } catch (error) {
      for (const gauge of [
        this.gauges.pending,
        this.gauges.inFlight,
        this.gauges.delayed,
        this.gauges.dead,
        this.gauges.oldestPendingAge,
      ]) {
        gauge.remove(labels);
      }
      this.gauges.up.set(labels, 0);
      if (!this.unreadable.has(source.name)) {
        this.unreadable.add(source.name);
        this.logger.warn(
          { queue: source.name, err: describeThrown(error) },
          "queue depth could not be read from Redis: its gauges are left out of scrapes (and its stats_up is 0) until it can",
        );
      }
    }
  }

  private statsOf(source: DepthSource): Promise<QueueStats> {
    const pending = this.unanswered.get(source.name);
    if (pending) return pending;
    const read = (async () => source.stats())();
    this.unanswered.set(source.name, read);
    const forget = () => {
      this.unanswered.delete(source.name);
    };
    read.then(forget, forget);
    return read;
  }
}

/** `promise`, or a rejection after `ms`; the timer never outlives the answer. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
