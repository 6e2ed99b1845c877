/** One taken item and the worker's view of its lease. */
export class Lease {
  private controller?: AbortController;
  private reason?: Error;
  /** The handler has been called. */
  started = false;
  /** The handler has returned; its ack is on its way. */
  finished = false;
  /** Redis knows the item runs: if its lease runs out now, that counts as a stall. */
  markedRunning: boolean;
  /**
   * Local `performance.now()` time before which Redis cannot have given the item to another
   * worker (see LeaseClock). Moved forward by each renewal Redis confirms.
   */
  localExpiry: number;

  constructor(
    readonly id: string,
    /** The stored value, `attempts|firstFailureMs|payload`, or null when the item data is gone. */
    readonly value: string | null,
    /** The take's token: fixed for the life of the lease, it fences every call on the item. */
    readonly token: string,
    /** The item's lease ran out before (it crashed or stalled a worker, or waited in a dead one). */
    readonly suspect: boolean,
    markedRunning: boolean,
    localExpiry: number,
  ) {
    this.markedRunning = markedRunning;
    this.localExpiry = localExpiry;
  }

  /** Made lazily: most handlers never look at it, and an AbortController per item is costly. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  abort(reason: Error): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}
