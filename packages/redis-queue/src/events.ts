import type { TypedEmitter } from "@octo/internal";

/**
 * The events a `RedisQueue` emits, by name, each with its payload (`queue.on(name, listener)`).
 * Emitted by the workers that queue's `work()` started in this process: each process reports what
 * it did itself.
 */
export interface QueueEvents {
  /** A handler resolved (its ack may still be in flight). */
  "item:processed": { queue: string; id: string; attempt: number; durationMs: number };
  /** A handler threw and the item will be tried again after `retryInMs`. */
  "item:failed": { queue: string; id: string; attempt: number; error: string; retryInMs: number };
  /**
   * This worker moved the item to the dead letter: its last attempt failed (`failed`), it stalled
   * its workers more than `maxStalls` times (`stalled`; `attempts` counts the stalled run), or its
   * data could not be read (`undecodable`).
   */
  "item:dead-lettered": {
    queue: string;
    id: string;
    attempts: number;
    error: string;
    reason: "failed" | "stalled" | "undecodable";
  };
  /**
   * This worker took an item whose previous lease ran out while its handler ran (its worker died
   * or hung); `stalls` is how many times that has happened to the item.
   */
  "item:stalled": { queue: string; id: string; stalls: number };
}

/** Every queue event name, for the emitter's check of names. */
export const QUEUE_EVENT_NAMES: readonly (keyof QueueEvents)[] = [
  "item:processed",
  "item:failed",
  "item:dead-lettered",
  "item:stalled",
];

/**
 * Reports what a take found besides the items it took: `stalled` lists id, stalls of each taken
 * item whose last lease ended in a stall; `dead` id, attempts, error of each item it dead-lettered
 * for too many stalls (see take.lua).
 */
export function reportTakeEvents(
  events: TypedEmitter<QueueEvents>,
  queue: string,
  stalled: readonly string[],
  dead: readonly (string | number)[],
): void {
  for (let i = 0; i + 1 < stalled.length; i += 2) {
    events.emit("item:stalled", { queue, id: String(stalled[i]), stalls: Number(stalled[i + 1]) });
  }
  for (let i = 0; i + 2 < dead.length; i += 3) {
    events.emit("item:dead-lettered", {
      queue,
      id: String(dead[i]),
      attempts: Number(dead[i + 1]),
      error: String(dead[i + 2]),
      reason: "stalled",
    });
  }
}
