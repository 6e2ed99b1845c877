/** Handed to a handler with each item. */
export interface WorkContext {
  /** 1-based attempt number. */
  attempt: number;
  /**
   * Fires when the worker stops, or before the item's lease may run out (a renewal did not get
   * through in time), which is before Redis could give the item to another worker.
   */
  signal: AbortSignal;
  /** The item's id in the queue. */
  id: string;
}

/** What a `work` call did. */
export interface WorkResult {
  processed: number;
  failed: number;
  deadLettered: number;
}

export type Handler<T> = (item: T, context: WorkContext) => Promise<void>;
