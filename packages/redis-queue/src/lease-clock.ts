import { MAX_TIMER_DELAY_MS } from "@octo/internal";

/**
 * The worker's conservative local view of lease deadlines. Redis sets a deadline from its own
 * clock when it runs a take or a renewal, which is after the worker sent it; so the send time
 * plus the lease, minus a margin for clock drift and timer lateness, is a local time before which
 * Redis cannot have let anyone else take the item, whatever happened to the reply.
 */
export class LeaseClock {
  readonly marginMs: number;

  constructor(readonly leaseMs: number) {
    this.marginMs = leaseMarginMs(leaseMs);
  }

  /** The local expiry of a lease granted or renewed by a call sent at `sentAt`. */
  expiryFor(sentAt: number): number {
    return sentAt + this.leaseMs - this.marginMs;
  }
}

/**
 * 5 % of the lease plus 10 ms (redlock allows 1 % + 2 ms for drift alone; a worker also needs
 * room for a late timer under load), never more than a third of the lease, so a lease renewed on
 * time never looks expired.
 */
export function leaseMarginMs(leaseMs: number): number {
  return Math.min(Math.ceil(leaseMs * 0.05) + 10, Math.floor(leaseMs / 3));
}

/**
 * How often leases are renewed: every quarter of the lease, so that after Redis was busy or
 * unreachable for up to half a lease a renewal still gets through before the local clock gives
 * the lease up; never longer than a Node.js timer can wait (a longer delay would fire at once,
 * and a renewal every millisecond would follow).
 */
export function renewIntervalMs(leaseMs: number): number {
  return Math.max(1, Math.min(Math.floor(leaseMs / 4), MAX_TIMER_DELAY_MS));
}

/**
 * One timer for many local expiries: `check` handles what is due and answers the next expiry (or
 * undefined). A time further away than a Node.js timer can wait is reached in steps.
 */
export class ExpiryTimer {
  private timer?: NodeJS.Timeout;
  private armedAt = Number.POSITIVE_INFINITY;

  constructor(private readonly check: (now: number) => number | undefined) {}

  /** Makes sure the timer fires by `at`. */
  arm(at: number): void {
    if (this.timer && at >= this.armedAt) return;
    clearTimeout(this.timer);
    this.armedAt = at;
    const delay = Math.min(Math.max(0, Math.ceil(at - performance.now())), MAX_TIMER_DELAY_MS);
    this.timer = setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    this.timer = undefined;
    const target = this.armedAt;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    const next = now < target ? target : this.check(now);
    if (next !== undefined) this.arm(next);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }
}
