import { describeThrown, toError } from "@octo/internal";
import type { Lease } from "./lease";
import type { ResolvedBackoff } from "./options";
import { retrying } from "./retrying";
import type { WorkResult } from "./work-types";
import type { WorkerConfig } from "./worker-config";
import { LEASE_LOST, perCall, type WorkerScripts } from "./worker-scripts";

/** What ending a lease needs from its worker. */
export interface EndingsHost<T> {
  readonly config: WorkerConfig<T>;
  readonly scripts: WorkerScripts;
  readonly workerId: string;
  readonly repliesKey: string;
  readonly repliesTtlMs: number;
  readonly result: WorkResult;
  /** Every lease the worker holds; an ended lease leaves it. */
  readonly held: Set<Lease>;
}

/**
 * The calls that end a lease other than an ack: a failure (retry or dead letter), an undecodable
 * item, an interrupted handler's give-back, and the give-back of unstarted items. Each carries the
 * take's token and a call id, so Redis refuses it for a lease the worker lost and answers a
 * re-sent one as it answered the first time; a call that failed is tried again while the local
 * lease clock says the lease holds.
 */
export class LeaseEndings<T> {
  constructor(private readonly host: EndingsHost<T>) {}

  /** Retries a call that ends `lease` while the local clock says the lease holds. */
  private endLease<R>(lease: Lease, what: string, call: () => Promise<R>): Promise<R> {
    return retrying(
      call,
      () => performance.now() < lease.localExpiry,
      (err, attempt) =>
        this.host.config.logger.warn(
          { err, queue: this.host.config.name, id: lease.id, attempt },
          `${what}; retrying`,
        ),
    ).finally(() => this.host.held.delete(lease));
  }

  async recordFailure(lease: Lease, lane: number, attempt: number, err: unknown): Promise<void> {
    const { keys: k, logger, name, retries, backoff } = this.host.config;
    // Drawn once per failure, so that a re-sent call computes the same retry time.
    const draw = backoff.jitter ? Math.random() : -1;
    this.host.result.failed++;
    const outcome = await this.endLease(lease, "could not record a failure", () =>
      this.host.scripts.octoQueueFail(
        k.takes,
        k.items,
        k.delayed,
        k.dead,
        k.lease,
        k.stalls,
        this.host.repliesKey,
        k.dedup,
        k.keyOf,
        k.taken,
        lease.id,
        lease.token,
        retries,
        backoff.delayMs,
        failureText(err),
        `${lease.token}:${lease.id}`,
        `end:${lane}`,
        this.host.repliesTtlMs,
        backoff.type,
        backoff.maxMs,
        draw,
      ),
    );
    const fields = { err: toError(err), queue: name, id: lease.id, attempt };
    const { events } = this.host.config;
    if (outcome === 2) {
      this.host.result.deadLettered++;
      logger.error(fields, "item moved to the dead letter");
      if (events.listens("item:dead-lettered")) {
        const error = describeThrown(err);
        events.emit("item:dead-lettered", {
          queue: name,
          id: lease.id,
          attempts: attempt,
          error,
          reason: "failed",
        });
      }
    } else if (outcome === 1) {
      logger.warn(fields, "item failed, will retry");
      if (events.listens("item:failed")) {
        const retryInMs = retryDelayMs(backoff, attempt, draw);
        events.emit("item:failed", {
          queue: name,
          id: lease.id,
          attempt,
          error: describeThrown(err),
          retryInMs,
        });
      }
    } else if (outcome === LEASE_LOST) {
      logger.warn(fields, "item failed after its lease was lost; its new holder decides");
    } else {
      logger.warn(fields, "item failed after it was finished elsewhere");
    }
  }

  /** Dead-letters an item whose data cannot be read; `attempts` counts this one. */
  async deadLetter(lease: Lease, lane: number, attempts: number, err: unknown): Promise<void> {
    const k = this.host.config.keys;
    const moved = await this.endLease(lease, "could not dead-letter an undecodable item", () =>
      this.host.scripts.octoQueueDeadLetter(
        k.takes,
        k.items,
        k.dead,
        k.lease,
        k.stalls,
        this.host.repliesKey,
        k.dedup,
        k.keyOf,
        k.taken,
        lease.id,
        lease.token,
        `decode error: ${describeThrown(err)}`,
        `${lease.token}:${lease.id}`,
        `end:${lane}`,
        this.host.repliesTtlMs,
      ),
    );
    if (moved === 1) {
      this.host.result.deadLettered++;
      this.host.config.logger.error(
        { err: toError(err), queue: this.host.config.name, id: lease.id },
        "undecodable item moved to the dead letter",
      );
      const { events, name } = this.host.config;
      if (events.listens("item:dead-lettered")) {
        const error = `decode error: ${describeThrown(err)}`;
        events.emit("item:dead-lettered", {
          queue: name,
          id: lease.id,
          attempts,
          error,
          reason: "undecodable",
        });
      }
    }
  }

  /**
   * Puts items back at the head of pending, each fenced by its take's token (`pairs`: id, token,
   * id, token…); the call id and reply slot make a re-sent call answer as its first run did.
   */
  private release(callId: string, slot: string, pairs: string[]): Promise<number> {
    const k = this.host.config.keys;
    return this.host.scripts.octoQueueRelease(
      k.takes,
      k.pending,
      k.lease,
      k.items,
      this.host.repliesKey,
      k.taken,
      k.wake,
      callId,
      slot,
      this.host.repliesTtlMs,
      ...pairs,
    );
  }

  /** Gives back one item a lane holds. */
  private releaseOne(lease: Lease, lane: number): Promise<number> {
    return this.release(`${lease.token}:${lease.id}`, `end:${lane}`, [lease.id, lease.token]);
  }

  /** An interrupted item goes back to the head of pending, attempts unchanged. */
  async giveBack(lease: Lease, lane: number, err: unknown): Promise<void> {
    const released = await this.endLease(lease, "could not give back an interrupted item", () =>
      this.releaseOne(lease, lane),
    );
    this.host.config.logger.info(
      { err: toError(err), queue: this.host.config.name, id: lease.id, released: released === 1 },
      "handler interrupted; its item goes back unchanged",
    );
  }

  /**
   * Gives back an item taken but not started because the local lease clock says its lease may
   * have run out (a take answered late, or it waited too long in the buffer). The give-back is
   * fenced by the token, so it changes nothing if the lease did run out. If it still holds (Redis
   * ran the take late, when a stalled connection or server resumed), the item returns to pending
   * now instead of sitting out a lease nobody renews, marked as running by the take: that expiry
   * would count as a stall of an item that never ran. One try: if it fails, the lease runs out.
   */
  async releaseStale(lease: Lease, lane: number): Promise<void> {
    const { logger, name } = this.host.config;
    try {
      const released = await this.releaseOne(lease, lane);
      logger.debug(
        { queue: name, id: lease.id, released: released === 1 },
        "not starting a taken item: its lease may have run out while it waited",
      );
    } catch (err) {
      logger.warn(
        { err, queue: name, id: lease.id },
        "could not give back a taken item whose lease may have run out; it returns when the lease does",
      );
    } finally {
      this.host.held.delete(lease);
    }
  }

  /** Gives items taken but not started back to the head of pending, in their order. */
  async releaseUnstarted(buffered: Lease[]): Promise<void> {
    const batch = buffered.filter((lease) => performance.now() < lease.localExpiry);
    if (batch.length === 0) return;
    try {
      let released = 0;
      // Last call first: each puts its items at the head, so the order they were taken is kept.
      for (const leases of perCall(batch).reverse()) {
        const args: string[] = [];
        for (const lease of leases) args.push(lease.id, lease.token);
        const callId = `${this.host.workerId}:release:${leases[0]?.token}:${leases[0]?.id}`;
        released += await retrying(
          () => this.release(callId, "release", args),
          () => leases.every((lease) => performance.now() < lease.localExpiry),
          () => undefined,
        );
      }
      this.host.config.logger.debug(
        { queue: this.host.config.name, items: batch.length, released },
        "gave back unstarted items",
      );
    } catch (err) {
      // Not lost: their leases run out and any worker takes them again.
      this.host.config.logger.warn(
        { err, queue: this.host.config.name, items: batch.length },
        "could not give back unstarted items; they return when their leases run out",
      );
    } finally {
      for (const lease of batch) this.host.held.delete(lease);
    }
  }
}

/** The wait fail.lua schedules a retry after, computed alike (see its backoff lines). */
export function retryDelayMs(backoff: ResolvedBackoff, attempts: number, draw: number): number {
  let wait = backoff.type === "fixed" ? backoff.delayMs : backoff.delayMs * 2 ** (attempts - 1);
  if (backoff.maxMs > 0 && wait > backoff.maxMs) wait = backoff.maxMs;
  return draw >= 0 ? Math.floor(wait * draw) : wait;
}

/** The text a failure is recorded with: an Error's stack, anything else described readably. */
function failureText(err: unknown): string {
  if (err instanceof Error) {
    try {
      if (typeof err.stack === "string" && err.stack !== "") return err.stack;
    } catch {
      // a throwing stack getter: fall through to the description
    }
  }
  return describeThrown(err);
}
