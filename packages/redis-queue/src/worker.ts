import { randomBytes } from "node:crypto";
import type { Cluster, Redis } from "ioredis";
import { AckBatcher } from "./ack-batcher";
import { reportTakeEvents } from "./events";
import { ItemContext } from "./item-context";
import { Lease } from "./lease";
import { ExpiryTimer, LeaseClock } from "./lease-clock";
import { LeaseEndings } from "./lease-endings";
import { LeaseRenewer } from "./lease-renewer";
import { isClosedForGood, isRefusal } from "./retrying";
import { TakeLanes } from "./take-lanes";
import { PaceMeter, takeSize } from "./take-size";
import { WakeUp } from "./wake-up";
import type { Handler, WorkResult } from "./work-types";
import type { WorkerConfig } from "./worker-config";
import { ITEM_MISSING, type WorkerScripts, workerScripts } from "./worker-scripts";

/**
 * - `running`: taking items and running handlers;
 * - `stopping`: stopped, drained or failed; no new takes, items in hand finish, unstarted ones go
 *   back, acks are flushed;
 * - `drained`: nothing held any more; `work()` settles.
 */
type WorkerState = "running" | "stopping" | "drained";

/** An idle worker looks for items again after this, doubling up to MAX_IDLE_MS. */
const MIN_IDLE_MS = 10;
const MAX_IDLE_MS = 200;
/** Take ahead what will start within this long, or two take round trips if longer. */
const MIN_HORIZON_MS = 20;

/**
 * One `work()` call. Lanes (one per unit of parallelism) pull leased items from a local buffer,
 * topped up ahead as far as the worker's pace says, so a take's round trip overlaps the handlers;
 * acks are group-committed. Every call that ends or renews a lease carries the take's token, so
 * a worker that lost a lease cannot touch the item's next holder.
 */
export class Worker<T> {
  private state: WorkerState = "running";
  private readonly result: WorkResult = { processed: 0, failed: 0, deadLettered: 0 };
  private readonly redis: Redis | Cluster;
  private readonly scripts: WorkerScripts;
  private readonly workerId = randomBytes(9).toString("base64url");
  private readonly repliesKey: string;
  private readonly repliesTtlMs: number;
  private readonly clock: LeaseClock;
  private readonly expiryTimer: ExpiryTimer;
  private readonly renewer: LeaseRenewer;
  private readonly acks: AckBatcher;
  private readonly wake: WakeUp;
  private readonly endings: LeaseEndings<T>;
  private readonly pace = new PaceMeter();
  /** Every lease this worker holds: buffered, running, or finished and not yet acked. */
  private readonly held = new Set<Lease>();
  /** Taken, not started yet, in the order taken. */
  private buffer: Lease[] = [];
  private readonly running = new Set<Lease>();
  /** Lanes waiting for a take. */
  private waiting = 0;
  private takeCount = 0;
  /** The takes in flight; a failed one stops the worker. */
  private readonly takes = new TakeLanes((lane, size, atOnce) =>
    this.take(lane, size, atOnce).catch((error) => this.fail(error)),
  );
  private takeRoundTripMs = 0;
  private failure?: unknown;
  private idleSince?: number;
  private backoff = MIN_IDLE_MS;

  constructor(
    redis: Redis | Cluster,
    private readonly config: WorkerConfig<T>,
    private readonly handler: Handler<T>,
  ) {
    this.redis = redis;
    this.scripts = workerScripts(redis);
    this.repliesKey = `${config.keys.workers}${this.workerId}`;
    this.repliesTtlMs = Math.max(config.leaseMs, 60_000);
    this.clock = new LeaseClock(config.leaseMs);
    this.expiryTimer = new ExpiryTimer((now) => this.checkExpiries(now));
    const host = {
      scripts: this.scripts,
      keys: config.keys,
      clock: this.clock,
      logger: config.logger,
      queue: config.name,
      repliesKey: this.repliesKey,
      repliesTtlMs: this.repliesTtlMs,
      leaseMs: config.leaseMs,
    };
    this.renewer = new LeaseRenewer({
      ...host,
      held: () => [...this.held],
      lost: (lease, code) => this.lost(lease, code),
    });
    this.acks = new AckBatcher(
      {
        ...host,
        ended: (lease) => this.held.delete(lease),
        failed: (error, leases) => {
          // Not renewed any more: the items return when their leases run out.
          for (const lease of leases) this.held.delete(lease);
          this.fail(error);
        },
      },
      this.workerId,
    );
    this.wake = new WakeUp(redis, config.keys.wake, config.logger, config.name);
    this.endings = new LeaseEndings({
      config,
      scripts: this.scripts,
      workerId: this.workerId,
      repliesKey: this.repliesKey,
      repliesTtlMs: this.repliesTtlMs,
      result: this.result,
      held: this.held,
    });
  }

  async run(): Promise<WorkResult> {
    const { signal, parallelism } = this.config;
    const onAbort = () => this.stop(true);
    if (signal?.aborted) this.stop(true);
    signal?.addEventListener("abort", onAbort);
    this.renewer.start();
    try {
      await Promise.all(Array.from({ length: parallelism }, (_, lane) => this.lane(lane)));
    } finally {
      this.stop(false);
      signal?.removeEventListener("abort", onAbort);
      await this.takes.drain();
      await this.wake.close();
      const unstarted = this.buffer;
      this.buffer = [];
      await this.endings.releaseUnstarted(unstarted);
      await this.acks.flush();
      this.renewer.stop();
      this.expiryTimer.stop();
      this.state = "drained";
      // Only a re-sent call reads the replies; nothing of this worker's can be re-sent now.
      void this.redis.del(this.repliesKey).catch(() => undefined);
    }
    if (this.failure !== undefined) throw this.failure;
    return this.result;
  }

  /** running → stopping; a stop asked for by the signal also aborts the running handlers' signals. */
  private stop(interrupt: boolean): void {
    if (interrupt) {
      for (const lease of this.running) lease.abort(new Error("worker stopped"));
    }
    if (this.state !== "running") return;
    this.state = "stopping";
    this.wake.wake();
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.stop(false);
  }

  private async lane(lane: number): Promise<void> {
    for (;;) {
      const lease = await this.next(lane);
      if (!lease) return;
      if (lease.suspect && !lease.markedRunning) {
        // Its lease ran out before, unseen: tell Redis it runs before running it, so that if it
        // kills this worker too, that counts as a stall.
        await this.renewer.markRunning(lease);
        if (!this.held.has(lease)) continue;
        if (this.state !== "running") {
          // Stopped meanwhile: it goes back with the other unstarted items.
          this.buffer.unshift(lease);
          return;
        }
      }
      lease.started = true;
      this.running.add(lease);
      this.startTake();
      if (this.state !== "running" && this.config.signal?.aborted) lease.abort(new Error("worker stopped"));
      try {
        await this.process(lease, lane);
      } catch (error) {
        // Redis refused to record an outcome: stop taking, let the other lanes finish their
        // items, and reject work() with it. The item's lease runs out and it is taken again.
        this.fail(error);
      } finally {
        this.running.delete(lease);
        this.pace.settled();
      }
    }
  }

  private async next(lane: number): Promise<Lease | undefined> {
    for (;;) {
      if (this.state !== "running") return undefined;
      const lease = this.buffer.shift();
      if (lease) {
        if (performance.now() >= lease.localExpiry) {
          // Never start an item whose lease may have run out: another worker may have it now.
          await this.endings.releaseStale(lease, lane);
          continue;
        }
        return lease;
      }
      this.waiting++;
      try {
        await this.fetch();
      } finally {
        this.waiting--;
      }
    }
  }

  private takeSize(): number {
    return takeSize({
      parallelism: this.config.parallelism,
      batchSize: this.config.batchSize,
      running: this.running.size,
      buffered: this.buffer.length,
      requested: this.takes.requested,
      pacePerSecond: this.pace.perSecond(),
      horizonMs: Math.max(MIN_HORIZON_MS, 2 * this.takeRoundTripMs),
    });
  }

  /**
   * Takes ahead when the pace says more items will start soon than are buffered or asked for
   * (see TakeLanes for when a second take goes out beside one in flight).
   */
  private startTake(): void {
    if (this.state === "running") this.takes.start(() => this.takeSize(), this.waiting);
  }

  /** Starts a take if one is wanted; settles when a take in flight has settled. Never rejects. */
  private fetch(): Promise<void> {
    this.startTake();
    return this.takes.settled();
  }

  private async take(lane: string, size: number, atOnce: number): Promise<void> {
    const { keys: k, leaseMs, maxStalls, logger, name } = this.config;
    // The token comes from here, so a take ioredis re-sends after a lost reply finds the items
    // its first run took instead of taking (and stranding) more.
    const token = `${this.workerId}.${++this.takeCount}`;
    const sentAt = performance.now();
    let taken: Awaited<ReturnType<WorkerScripts["octoQueueTake"]>>;
    try {
      taken = await this.scripts.octoQueueTake(
        k.pending,
        k.inflight,
        k.items,
        k.delayed,
        k.lease,
        k.stalls,
        k.dead,
        this.repliesKey,
        k.dedup,
        k.keyOf,
        size,
        leaseMs,
        token,
        atOnce,
        maxStalls,
        this.repliesTtlMs,
        lane,
      );
    } catch (err) {
      this.takes.answered(false);
      if (isRefusal(err) || isClosedForGood(this.redis)) throw err;
      logger.warn({ err, queue: name }, "could not take items; trying again");
      await this.idle();
      return;
    }
    const roundTrip = performance.now() - sentAt;
    this.takeRoundTripMs = this.takeRoundTripMs === 0 ? roundTrip : (this.takeRoundTripMs + roundTrip) / 2;
    if (taken.length === 6) reportTakeEvents(this.config.events, name, taken[4], taken[5]);
    if (taken.length === 6 && taken[0].length > 0) {
      this.idleSince = undefined;
      this.backoff = MIN_IDLE_MS;
      const [joined, values, , stalls] = taken;
      const ids = joined.split(" ");
      this.takes.answered(ids.length === size);
      const expiry = this.clock.expiryFor(sentAt);
      ids.forEach((id, i) => {
        const lease = new Lease(id, values[i] ?? null, token, stalls[i] != null, i < atOnce, expiry);
        this.held.add(lease);
        this.buffer.push(lease);
      });
      this.expiryTimer.arm(expiry);
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
    const k = this.config.keys;
    let empty = false;
    try {
      const [pending, inflight, delayed, filling] = await Promise.all([
        this.redis.llen(k.pending),
        this.redis.zcard(k.inflight),
        this.redis.zcard(k.delayed),
        this.redis.exists(k.filling),
      ]);
      empty = pending + inflight + delayed + filling === 0;
    } catch (err) {
      this.config.logger.debug({ err, queue: this.config.name }, "could not look at the queue; trying again");
    }
    if (empty) {
      this.idleSince ??= Date.now();
      if (Date.now() - this.idleSince >= this.config.graceMs) {
        this.stop(false);
        return;
      }
    } else {
      this.idleSince = undefined;
    }
    await this.idle();
  }

  private async idle(): Promise<void> {
    if (this.state !== "running") return;
    await this.wake.wait(this.backoff);
    this.backoff = Math.min(this.backoff * 2, MAX_IDLE_MS);
  }

  /** Redis says this worker no longer holds `lease`: never start it, abort its handler. */
  private lost(lease: Lease, code: number): void {
    // A renewal that crossed this lease's ack in flight finds the item gone: the ack decides.
    if (lease.finished) return;
    this.held.delete(lease);
    const index = this.buffer.indexOf(lease);
    if (index >= 0) this.buffer.splice(index, 1);
    lease.abort(
      new Error(
        code === ITEM_MISSING
          ? `lease of item ${lease.id} was lost: the item was finished elsewhere`
          : `lease of item ${lease.id} was lost`,
      ),
    );
  }

  /** Aborts running handlers whose leases may have run out; answers the next local expiry. */
  private checkExpiries(now: number): number | undefined {
    let next: number | undefined;
    for (const lease of this.held) {
      if (lease.localExpiry <= now) {
        if (lease.started) {
          lease.abort(
            new Error(
              `lease of item ${lease.id} may have run out: renewals did not get through in time, ` +
                "so the item may be given to another worker",
            ),
          );
        }
      } else if (next === undefined || lease.localExpiry < next) {
        next = lease.localExpiry;
      }
    }
    return next;
  }

  private async process(lease: Lease, lane: number): Promise<void> {
    let attempt = 1;
    let item: T;
    try {
      const value = lease.value;
      if (value === null) throw new Error("item data is missing");
      const bar1 = value.indexOf("|");
      const bar2 = bar1 < 0 ? -1 : value.indexOf("|", bar1 + 1);
      if (bar2 < 0) throw new Error("item data has no attempt header");
      attempt = Number(value.slice(0, bar1)) + 1;
      item = this.config.codec.decode(value.slice(bar2 + 1));
    } catch (err) {
      await this.endings.deadLetter(lease, lane, attempt, err);
      return;
    }
    const startedAt = performance.now();
    try {
      await this.handler(item, new ItemContext(attempt, lease.id, lease));
    } catch (err) {
      // Interrupted (a stop, or a lease that may have run out): not a failed attempt.
      if (lease.aborted) await this.endings.giveBack(lease, lane, err);
      else await this.endings.recordFailure(lease, lane, attempt, err);
      return;
    }
    lease.finished = true;
    this.result.processed++;
    this.acks.push(lease);
    const { events, name } = this.config;
    if (events.listens("item:processed")) {
      const durationMs = performance.now() - startedAt;
      events.emit("item:processed", { queue: name, id: lease.id, attempt, durationMs });
    }
  }
}
