import { randomBytes } from "node:crypto";
import type { Cluster, Redis } from "ioredis";
import { AckBatcher } from "./ack-batcher";
import { ItemContext } from "./item-context";
import type { Lease } from "./lease";
import { ExpiryTimer, LeaseClock } from "./lease-clock";
import { LeaseEndings } from "./lease-endings";
import { LeaseRenewer } from "./lease-renewer";
import { Taker } from "./taker";
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

/**
 * One `work()` call: its lifecycle, its handler lanes and the leases it holds. Lanes (one per
 * unit of parallelism) pull leased items from a local buffer, which the Taker tops up ahead as
 * far as the worker's pace says, so a take's round trip overlaps the handlers; acks are
 * group-committed (AckBatcher), leases renewed (LeaseRenewer) and ended (LeaseEndings). Every call that ends or renews a lease carries the take's token, so
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
  private readonly taker: Taker<T>;
  private readonly endings: LeaseEndings<T>;
  /** Every lease this worker holds: buffered, running, or finished and not yet acked. */
  private readonly held = new Set<Lease>();
  /** Taken, not started yet, in the order taken. */
  private buffer: Lease[] = [];
  private readonly running = new Set<Lease>();
  /** Lanes waiting for a take. */
  private waiting = 0;
  private failure?: unknown;

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
    this.taker = new Taker<T>(
      {
        config,
        redis,
        scripts: this.scripts,
        workerId: this.workerId,
        repliesKey: this.repliesKey,
        repliesTtlMs: this.repliesTtlMs,
        clock: this.clock,
        isRunning: () => this.state === "running",
        running: () => this.running.size,
        buffered: () => this.buffer.length,
        received: (leases, expiry) => {
          for (const lease of leases) {
            this.held.add(lease);
            this.buffer.push(lease);
          }
          this.expiryTimer.arm(expiry);
        },
        drained: () => this.stop(false),
      },
      // A take Redis refused stops the worker.
      (error) => this.fail(error),
    );
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
      await this.taker.close();
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
    this.taker.interrupt();
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.stop(false);
  }

  private async lane(lane: number): Promise<void> {
    for (;;) {
      // Most items are already buffered: take one without a promise when it can start now.
      const lease = this.nextBuffered() ?? (await this.next(lane));
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
      this.taker.start(this.waiting);
      if (this.state !== "running" && this.config.signal?.aborted) lease.abort(new Error("worker stopped"));
      try {
        await this.process(lease, lane);
      } catch (error) {
        // Redis refused to record an outcome: stop taking, let the other lanes finish their
        // items, and reject work() with it. The item's lease runs out and it is taken again.
        this.fail(error);
      } finally {
        this.running.delete(lease);
        this.taker.settled();
      }
    }
  }

  /** The head of the buffer when the worker runs and its lease surely holds; else undefined. */
  private nextBuffered(): Lease | undefined {
    if (this.state !== "running") return undefined;
    const lease = this.buffer[0];
    if (lease === undefined || performance.now() >= lease.localExpiry) return undefined;
    this.buffer.shift();
    return lease;
  }

  private async next(lane: number): Promise<Lease | undefined> {
    for (;;) {
      if (this.state !== "running") return undefined;
      const fresh = this.nextBuffered();
      if (fresh) return fresh;
      // The head, if any, may have run out: never start it, another worker may have it now.
      const stale = this.buffer.shift();
      if (stale) {
        await this.endings.releaseStale(stale, lane);
        continue;
      }
      this.waiting++;
      try {
        await this.taker.fetch(this.waiting);
      } finally {
        this.waiting--;
      }
    }
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
