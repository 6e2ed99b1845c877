import type { LoggerLike, TypedEmitter } from "@octo/internal";
import type { Codec } from "./codec";
import type { QueueEvents } from "./events";
import type { ResolvedBackoff } from "./options";

/** The queue's keys a worker touches (see the README's "Data in Redis"). */
export interface WorkerKeys {
  pending: string;
  takes: string;
  taken: string;
  items: string;
  delayed: string;
  dead: string;
  filling: string;
  /** The wake-up pub/sub channel. */
  wake: string;
  lease: string;
  stalls: string;
  /** Prefix of each worker's replies hash. */
  workers: string;
  /** De-duplication keys of added items, freed when an item is acked or dead. */
  dedup: string;
  keyOf: string;
}

/** Everything one `work()` call runs with, validated by the queue. */
export interface WorkerConfig<T> {
  name: string;
  keys: WorkerKeys;
  codec: Codec<T>;
  leaseMs: number;
  retries: number;
  backoff: ResolvedBackoff;
  batchSize: number;
  maxStalls: number;
  parallelism: number;
  graceMs: number;
  signal?: AbortSignal;
  logger: LoggerLike;
  /** The queue's emitter: the worker reports what it did to each item. */
  events: TypedEmitter<QueueEvents>;
}
