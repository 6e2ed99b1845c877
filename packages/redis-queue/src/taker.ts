import type { Cluster, Redis } from "ioredis";
import { reportTakeEvents } from "./events";
import { Lease } from "./lease";
import type { LeaseClock } from "./lease-clock";
import { isClosedForGood, isRefusal } from "./retrying";
import { TakeLanes } from "./take-lanes";
import { PaceMeter, takeSize } from "./take-size";
import { WakeUp } from "./wake-up";
import type { WorkerConfig } from "./worker-config";
import type { WorkerScripts } from "./worker-scripts";

/** An idle worker looks for items again after this, doubling up to MAX_IDLE_MS. */
const MIN_IDLE_MS = 10;
const MAX_IDLE_MS = 200;
/** Take ahead what will start within this long, or two take round trips if longer. */
const MIN_HORIZON_MS = 20;

/** What a Taker needs from its worker. */
export interface TakerHost<T> {
  config: WorkerConfig<T>;
  redis: Redis | Cluster;
  scripts: WorkerScripts;
  workerId: string;
  repliesKey: string;
  repliesTtlMs: number;
  clock: LeaseClock;
  /** Whether the worker still takes items (it is `running`). */
  isRunning(): boolean;
  /** Handlers running now. */
  running(): number;
  /** Items taken and not started. */
  buffered(): number;
  /** Takes in newly leased items, in the order taken, each to expire locally at `expiry`. */
  received(leases: Lease[], expiry: number): void;
  /** The queue stayed empty for the whole grace period: the worker stops. */
  drained(): void;
}

/**
 * Fills a worker's buffer from Redis: sizes each take by the worker's pace, sends it on a take
 * lane (see TakeLanes), turns its answer into leases, and when nothing is pending decides
 * between waiting on the wake-up channel (backing off) and telling the worker the queue is
 * drained. A take that Redis refuses rejects, and the caller's TakeLanes hands that to `failed`.
 */
export class Taker<T> {
  private takeCount = 0;
  private takeRoundTripMs = 0;
  private idleSince?: number;
  private backoff = MIN_IDLE_MS;
  private readonly pace = new PaceMeter();
  private readonly wake: WakeUp;
  /** The takes in flight; a failed one is handed to `failed`. */
  private readonly takes: TakeLanes;
  /** `size()`, made once: `start` runs once per item. */
  private readonly sizeNow = () => this.size();

  constructor(
    private readonly host: TakerHost<T>,
    failed: (error: unknown) => void,
  ) {
    const { config } = host;
    this.wake = new WakeUp(host.redis, config.keys.wake, config.logger, config.name);
    this.takes = new TakeLanes((lane, size, atOnce) =>
      this.take(lane, size, atOnce).catch((error) => failed(error)),
    );
  }

  /**
   * Takes ahead when the pace says more items will start soon than are buffered or asked for.
   * `waiting` handler lanes want an item now.
   */
  start(waiting: number): void {
    if (this.host.isRunning()) this.takes.start(this.sizeNow, waiting);
  }

  /** Starts a take if one is wanted; settles when a take in flight has settled. Never rejects. */
  fetch(waiting: number): Promise<void> {
    this.start(waiting);
    return this.takes.settled();
  }

  /** One item settled (acked, failed or given back): the pace counts it. */
  settled(): void {
    this.pace.settled();
  }

  /** Ends an idle wait at once: the worker is stopping. */
  interrupt(): void {
    this.wake.wake();
  }

  /** Resolves once no take is in flight, then closes the wake-up connection. */
  async close(): Promise<void> {
    await this.takes.drain();
    await this.wake.close();
  }

  private size(): number {
    const { parallelism, batchSize } = this.host.config;
    return takeSize({
      parallelism,
      batchSize,
      running: this.host.running(),
      buffered: this.host.buffered(),
      requested: this.takes.requested,
      pacePerSecond: this.pace.perSecond(),
      horizonMs: Math.max(MIN_HORIZON_MS, 2 * this.takeRoundTripMs),
    });
  }

  private async take(lane: string, size: number, atOnce: number): Promise<void> {
    const { config, scripts, repliesKey, repliesTtlMs } = this.host;
    const { keys: k, leaseMs, maxStalls, logger, name } = config;
    // The token comes from here, so a take ioredis re-sends after a lost reply finds the items
    // its first run took instead of taking (and stranding) more.
    const token = `${this.host.workerId}.${++this.takeCount}`;
    const sentAt = performance.now();
    let taken: Awaited<ReturnType<WorkerScripts["octoQueueTake"]>>;
    try {
      taken = await scripts.octoQueueTake(
        k.pending,
        k.takes,
        k.items,
        k.delayed,
        k.lease,
        k.stalls,
        k.dead,
        repliesKey,
        k.dedup,
        k.keyOf,
        k.taken,
        size,
        leaseMs,
        token,
        atOnce,
        maxStalls,
        repliesTtlMs,
        lane,
      );
    } catch (err) {
      this.takes.answered(false);
      if (isRefusal(err) || isClosedForGood(this.host.redis)) throw err;
      logger.warn({ err, queue: name }, "could not take items; trying again");
      await this.idle();
      return;
    }
    const roundTrip = performance.now() - sentAt;
    this.takeRoundTripMs = this.takeRoundTripMs === 0 ? roundTrip : (this.takeRoundTripMs + roundTrip) / 2;
    if (taken.length === 5) reportTakeEvents(config.events, name, taken[3], taken[4]);
    if (taken.length === 5 && taken[0].length > 0) {
      this.idleSince = undefined;
      this.backoff = MIN_IDLE_MS;
      const [joined, , stalls] = taken;
      // One string, separated by NUL bytes, unless an entry held a NUL itself (take.lua).
      const entries = typeof joined === "string" ? joined.split("\0") : joined;
      this.takes.answered(entries.length === size);
      const expiry = this.host.clock.expiryFor(sentAt);
      const leases: Lease[] = new Array(entries.length);
      for (let i = 0; i < entries.length; i++) {
        // "<id> <stored value>", or "<id>" alone when the item's value is missing.
        const entry = entries[i] as string;
        const cut = entry.indexOf(" ");
        const id = cut < 0 ? entry : entry.slice(0, cut);
        const value = cut < 0 ? null : entry.slice(cut + 1);
        leases[i] = new Lease(id, value, token, stalls[i] != null, i < atOnce, expiry);
      }
      this.host.received(leases, expiry);
      return;
    }
    this.takes.answered(false);
    // Another take is in flight: what it finds decides whether to wait for work.
    if (this.takes.othersInFlight) return;
    await this.waitForWork();
  }

  /**
   * Nothing pending: the queue is drained once nothing is in flight, waiting to retry or being
   * filled (by anyone) for the whole grace period. Otherwise wait, backing off, and look again.
   */
  private async waitForWork(): Promise<void> {
    const { config, redis } = this.host;
    const k = config.keys;
    let empty = false;
    try {
      const [pending, inflight, delayed, filling] = await Promise.all([
        redis.llen(k.pending),
        redis.zcard(k.takes),
        redis.zcard(k.delayed),
        redis.exists(k.filling),
      ]);
      empty = pending + inflight + delayed + filling === 0;
    } catch (err) {
      config.logger.debug({ err, queue: config.name }, "could not look at the queue; trying again");
    }
    if (empty) {
      this.idleSince ??= Date.now();
      if (Date.now() - this.idleSince >= config.graceMs) {
        this.host.drained();
        return;
      }
    } else {
      this.idleSince = undefined;
    }
    await this.idle();
  }

  private async idle(): Promise<void> {
    if (!this.host.isRunning()) return;
    await this.wake.wait(this.backoff);
    this.backoff = Math.min(this.backoff * 2, MAX_IDLE_MS);
  }
}
