import { hashTag } from "@octo/internal";

/**
 * The Redis keys of one queue (see the README's "Data in Redis"). Every key carries the queue's
 * name as a Redis Cluster hash tag, so all keys one script touches sit in one slot.
 */
export interface QueueKeys {
  /** List of ids waiting to be taken. */
  pending: string;
  /**
   * Sorted set of the tokens of live takes, scored by their lease deadline: a lease belongs to a
   * take, and the items one take call leased share its token and deadline.
   */
  takes: string;
  /**
   * Hash per live take: `<token>` → its ids (separated by spaces), `<token>#` → how many of them
   * it still holds; and `#` → how many items all takes hold (the in-flight count).
   */
  taken: string;
  /** Hash id → `attempts|firstFailureMs|payload`. */
  items: string;
  /** Sorted set of ids waiting to retry, scored by due time. */
  delayed: string;
  /** Hash id → dead letter JSON. */
  dead: string;
  /** Hash `{ owner, batch }` while a fill runs, with a TTL its filler keeps renewing. */
  filling: string;
  /** Counter the ids are drawn from. */
  seq: string;
  /** A pub/sub channel, not a key: told the number of items whenever items become pending. */
  wake: string;
  /**
   * Start of the keys a requeue leaves behind for a few seconds with its answer, one per call
   * (`<requeued><call id>`), so a re-sent requeue answers what the first run did.
   */
  requeued: string;
  /** Hash de-duplication key → the id of the item added under it (see `add`). */
  dedup: string;
  /** Hash id → the de-duplication key it was added under (only items added with a key). */
  keyOf: string;
  /** Start of the keys holding the last answer of each lane of each sender of adds (see AddSender). */
  added: string;
  /** Start of the keys `removeDeadLetters` leaves for a few minutes with its answer, one per call. */
  removed: string;
  /** Hash id → the token of the take that holds it (`+token` once Redis knows it is running). */
  lease: string;
  /** Hash id → how many times the item's lease ran out while it was running. */
  stalls: string;
  /** Start of each worker's replies hash (`<workers><worker id>`), kept for re-sent calls. */
  workers: string;
}

/** The keys of queue `name` under `prefix`; both were checked with `assertKeyName`. */
export function queueKeys(prefix: string, name: string): QueueKeys {
  const base = `${prefix}:q:${hashTag(name)}:`;
  return {
    pending: `${base}pending`,
    takes: `${base}takes`,
    taken: `${base}taken`,
    items: `${base}items`,
    delayed: `${base}delayed`,
    dead: `${base}dead`,
    filling: `${base}filling`,
    seq: `${base}seq`,
    wake: `${base}wake`,
    requeued: `${base}requeued:`,
    dedup: `${base}dedup`,
    keyOf: `${base}keyof`,
    added: `${base}added:`,
    removed: `${base}removed:`,
    lease: `${base}lease`,
    stalls: `${base}stalls`,
    workers: `${base}worker:`,
  };
}
