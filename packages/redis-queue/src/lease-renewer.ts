import type { LoggerLike } from "@octo/internal";
import type { Lease } from "./lease";
import { type LeaseClock, renewIntervalMs } from "./lease-clock";
import type { WorkerKeys } from "./worker-config";
import { LEASE_HELD, perCall, type WorkerScripts } from "./worker-scripts";

/**
 * After a renewal failed, the next try comes this soon (or at the usual interval if sooner): a
 * renewal that timed out while Redis was busy is followed at once by one that gets through as
 * soon as Redis is back.
 */
const RETRY_MS = 20;

export interface RenewerHost {
  readonly scripts: WorkerScripts;
  readonly keys: WorkerKeys;
  readonly clock: LeaseClock;
  readonly logger: LoggerLike;
  readonly queue: string;
  /** Every lease the worker holds now. */
  held(): Lease[];
  /** Redis answered that the worker no longer holds `lease` (code LEASE_LOST or ITEM_MISSING). */
  lost(lease: Lease, code: number): void;
}

/**
 * Renews every lease the worker holds, every quarter of the lease; after a failed renewal it tries
 * again soon, while the local lease clock still allows. A renewal moves only deadlines, so one
 * re-sent after a lost reply, or one that timed out here and ran in Redis anyway, is harmless.
 */
export class LeaseRenewer {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly intervalMs: number;

  constructor(private readonly host: RenewerHost) {
    this.intervalMs = renewIntervalMs(host.clock.leaseMs);
  }

  start(): void {
    this.schedule(this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.renew(this.host.held()).then((ok) =>
        this.schedule(ok ? this.intervalMs : Math.min(RETRY_MS, this.intervalMs)),
      );
    }, ms);
  }

  /**
   * Tells Redis `lease`'s item runs (so its expiry counts as a stall) and renews it. Run before
   * starting an item whose lease ran out before; a lease Redis says is lost goes to `lost()`.
   */
  async markRunning(lease: Lease): Promise<void> {
    lease.started = true;
    await this.renew([lease]);
    lease.started = false;
  }

  /** Renews `leases`; answers false when a call failed (those leases keep their old expiry). */
  async renew(leases: Lease[]): Promise<boolean> {
    const { scripts, keys, clock } = this.host;
    let ok = true;
    for (const batch of perCall(leases)) {
      const args: (string | number)[] = [];
      for (const lease of batch) args.push(lease.id, lease.token, lease.started ? 1 : 0);
      const sentAt = performance.now();
      try {
        const [, ...codes] = await scripts.octoQueueExtend(
          keys.takes,
          keys.lease,
          keys.items,
          clock.leaseMs,
          ...args,
        );
        const expiry = clock.expiryFor(sentAt);
        batch.forEach((lease, i) => {
          const code = codes[i];
          if (code === LEASE_HELD) {
            lease.localExpiry = Math.max(lease.localExpiry, expiry);
            if (lease.started) lease.markedRunning = true;
          } else {
            this.host.lost(lease, code ?? 0);
          }
        });
      } catch (err) {
        ok = false;
        this.host.logger.warn(
          { err, queue: this.host.queue, items: batch.length },
          "could not renew leases; trying again while they hold",
        );
      }
    }
    return ok;
  }
}
