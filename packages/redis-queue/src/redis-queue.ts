import {
  type EventListener,
  InvalidArgumentError,
  type LoggerLike,
  type Telemetry,
  TypedEmitter,
} from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import { type AddOptions, type AddResult, type AddTarget, addItems } from "./add";
import type { Codec } from "./codec";
import {
  type DeadLetterPage,
  type DeadLetterPageOptions,
  type LegacyDeadLetter,
  readDeadLetters,
  readLegacyDeadLetters,
  removeDeadLetters,
  requeueDeadLetters,
} from "./dead-letters";
import { QUEUE_EVENT_NAMES, type QueueEvents } from "./events";
import { Fill } from "./fill";
import { tracedHandler } from "./item-tracing";
import { type QueueKeys, queueKeys } from "./keys";
import { count, type QueueOptions, type ResolvedBackoff, resolveQueueOptions } from "./options";
import { type ProducerScripts, producerScripts } from "./producer-scripts";
import type { Handler, WorkResult } from "./work-types";
import { Worker } from "./worker";

/** Options of `work(handler, options)`. */
export interface WorkOptions {
  logger?: LoggerLike;
  /** Handlers running at once. Default 1. */
  parallelism?: number;
  /** Aborting stops the worker: items in hand finish, no new ones are taken. */
  signal?: AbortSignal;
  /** How long an empty queue must stay empty before `work` resolves. Default 1000 ms. */
  drainGraceMs?: number;
}

export type { Handler, WorkContext, WorkResult } from "./work-types";

/** Counts from `stats()`. */
export interface QueueStats {
  pending: number;
  inFlight: number;
  delayed: number;
  dead: number;
  /**
   * How long the head of pending has waited since it became due (added, its delay ended, or
   * requeued), by Redis time; counts its earlier attempts too when it is a retry. `null` when
   * nothing is pending or the head item came from `fill`, which records no time.
   */
  oldestPendingAgeMs: number | null;
}

/**
 * A Redis work queue shared by any number of processes. Delivery is at least once:
 * handlers must be idempotent.
 */
export class RedisQueue<T = unknown> {
  readonly name: string;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly leaseMs: number;
  readonly batchSize: number;
  /** Lease expiries of a running item tolerated before it goes to the dead letter. */
  readonly maxStalls: number;
  /**
   * The pub/sub channel told the number of items whenever items become pending (fill, requeue,
   * a stopping worker's give-back). Idle workers listen on it; so can anyone else.
   */
  readonly wakeChannel: string;
  private readonly backoff: ResolvedBackoff;
  private readonly codec: Codec<T>;
  private readonly logger: LoggerLike;
  private readonly redis: Redis | Cluster;
  private readonly scripts: ProducerScripts;
  private readonly keys: QueueKeys;
  private producerTarget?: AddTarget<T>;
  private readonly telemetry: Telemetry | undefined;
  private readonly events: TypedEmitter<QueueEvents> = new TypedEmitter(QUEUE_EVENT_NAMES, () => this.logger);

  constructor(name: string, redis: Redis | Cluster, retries?: number, timeout?: string | number);
  constructor(name: string, redis: Redis | Cluster, options?: QueueOptions<T>);
  constructor(
    name: string,
    redis: Redis | Cluster,
    retriesOrOptions?: number | QueueOptions<T>,
    timeout?: string | number,
  ) {
    const options = resolveQueueOptions(name, redis, retriesOrOptions, timeout);
    this.name = options.name;
    this.retries = options.retries;
    this.timeoutMs = options.timeoutMs;
    this.backoff = options.backoff;
    this.leaseMs = options.leaseMs;
    this.batchSize = options.batchSize;
    this.maxStalls = options.maxStalls;
    this.codec = options.codec;
    this.logger = options.logger;
    this.keys = queueKeys(options.prefix, options.name);
    this.telemetry = options.telemetry;
    this.wakeChannel = this.keys.wake;
    this.redis = redis;
    this.scripts = producerScripts(redis);
  }

  /**
   * Adds items unless the queue still has pending, in-flight or delayed items or another fill
   * is running; returns whether this call wrote. An array is encoded whole before anything is
   * written; an async iterable is written batch by batch as it yields. See the README's "fill()".
   */
  async fill(items: T[] | AsyncIterable<T[]>): Promise<boolean> {
    return new Fill<T>({
      name: this.name,
      redis: this.redis,
      scripts: this.scripts,
      keys: this.keys,
      codec: this.codec,
      batchSize: this.batchSize,
      logger: this.logger,
    }).run(items);
  }

  /** Pending items. */
  async length(): Promise<number> {
    return this.redis.llen(this.keys.pending);
  }

  /**
   * Appends items at any time, while workers run, from any number of producers: one item, or
   * an array written `batchSize` items per round trip. Wakes idle workers. See the README's
   * "add()" for `delay` and `key`.
   */
  add(items: T | T[], options?: AddOptions<T>): Promise<AddResult> {
    // Not async: addItems already answers a promise, and its errors reject it.
    return addItems(this.producer(), items, options);
  }

  /** Pending, in-flight, delayed, dead counts and the age of the head of pending (one script). */
  async stats(): Promise<QueueStats> {
    const k = this.keys;
    const [pending, inFlight, delayed, dead, age] = await this.scripts.octoQueueStats(
      k.pending,
      k.taken,
      k.delayed,
      k.dead,
    );
    return { pending, inFlight, delayed, dead, oldestPendingAgeMs: age < 0 ? null : age };
  }

  /**
   * Moves dead letters back to pending with a fresh attempt count, each under a new id: the
   * given ids, or all when `ids` is omitted, `batchSize` per script call. Safe while workers
   * run; resolves to how many moved. A call re-sent after a lost reply moves nothing twice.
   */
  async requeue(ids?: string[]): Promise<number> {
    return requeueDeadLetters(this.producer(), ids);
  }

  /** Deletes the given dead letters; resolves to how many there were. */
  async removeDeadLetters(ids: string[]): Promise<number> {
    return removeDeadLetters(this.producer(), ids);
  }

  /**
   * One page of dead letters with their decoded items, read with bounded Redis calls: pass the
   * returned `cursor` for the next page; it is null after the last.
   */
  deadLetters(options?: DeadLetterPageOptions): Promise<DeadLetterPage<T>>;
  /**
   * Up to `limit` dead letters, with their stored text as `payload`.
   * @deprecated use `deadLetters({ limit, cursor })`.
   */
  deadLetters(limit: number): Promise<LegacyDeadLetter<T>[]>;
  async deadLetters(
    limitOrOptions: number | DeadLetterPageOptions = {},
  ): Promise<DeadLetterPage<T> | LegacyDeadLetter<T>[]> {
    if (typeof limitOrOptions === "number") return readLegacyDeadLetters(this.producer(), limitOrOptions);
    return readDeadLetters(this.producer(), limitOrOptions);
  }

  /** What add, requeue and the other producer calls need; made once (single adds are hot). */
  private producer() {
    this.producerTarget ??= {
      redis: this.redis,
      scripts: this.scripts,
      keys: this.keys,
      codec: this.codec,
      batchSize: this.batchSize,
    };
    return this.producerTarget;
  }

  /**
   * Calls `listener` with each `event` the workers of this queue object report (see the README's
   * "Events"); answers the function that unsubscribes it. Listeners run synchronously, in order;
   * one that throws or rejects is logged through the queue's logger and changes nothing else.
   * Throws `InvalidArgumentError` for an unknown event name or a listener that is not a function.
   */
  on<K extends keyof QueueEvents>(event: K, listener: EventListener<QueueEvents[K]>): () => void {
    return this.events.on(event, listener);
  }

  /** Unsubscribes `listener` from `event` (nothing happens when it was not subscribed). */
  off<K extends keyof QueueEvents>(event: K, listener: EventListener<QueueEvents[K]>): void {
    this.events.off(event, listener);
  }

  /** Nothing to release: the queue holds no connections of its own. Kept for symmetry. */
  async close(): Promise<void> {}

  /** Works the queue until drained or stopped. See README for semantics. */
  work(handler: Handler<T>, logger?: LoggerLike, parallelism?: number): Promise<WorkResult>;
  work(handler: Handler<T>, options?: WorkOptions): Promise<WorkResult>;
  async work(
    handler: Handler<T>,
    loggerOrOptions?: LoggerLike | WorkOptions,
    parallelismArg?: number,
  ): Promise<WorkResult> {
    if (typeof handler !== "function") throw InvalidArgumentError.expected("handler", handler, "a function");
    const isLogger = loggerOrOptions && typeof (loggerOrOptions as LoggerLike).info === "function";
    const options: WorkOptions = isLogger
      ? { logger: loggerOrOptions as LoggerLike, parallelism: parallelismArg }
      : ((loggerOrOptions as WorkOptions | undefined) ?? { parallelism: parallelismArg });
    const parallelism = count("parallelism", options.parallelism ?? 1, 1);
    const graceMs = options.drainGraceMs ?? 1000;
    if (typeof graceMs !== "number" || !(graceMs >= 0)) {
      throw InvalidArgumentError.expected("drainGraceMs", graceMs, "a number >= 0");
    }
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw InvalidArgumentError.expected("signal", signal, "an AbortSignal");
    }
    return new Worker(
      this.redis,
      {
        name: this.name,
        keys: this.keys,
        codec: this.codec,
        leaseMs: this.leaseMs,
        retries: this.retries,
        backoff: this.backoff,
        batchSize: this.batchSize,
        maxStalls: this.maxStalls,
        parallelism,
        graceMs,
        signal,
        logger: options.logger ?? this.logger,
        events: this.events,
      },
      // Wrapped once per work() call: without telemetry each item runs exactly as before.
      this.telemetry ? tracedHandler(this.telemetry, this.name, this.retries, handler) : handler,
    ).run();
  }
}
