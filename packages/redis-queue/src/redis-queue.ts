import { randomUUID } from "node:crypto";
import { InvalidArgumentError, type LoggerLike } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import type { Codec } from "./codec";
import { Fill } from "./fill";
import { type QueueKeys, queueKeys } from "./keys";
import { count, type QueueOptions, resolveQueueOptions } from "./options";
import { defineProducerScripts, type ProducerScripts } from "./producer-scripts";
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
}

/** One entry of `deadLetters()`. */
export interface DeadLetter {
  id: string;
  payload: string;
  attempts: number;
  error: string;
  firstFailedAt: Date;
  lastFailedAt: Date;
}

/** How long a requeue's answer is kept for a re-sent call: longer than ioredis retries a command. */
const REQUEUE_ANSWER_MS = 5 * 60_000;

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
  private readonly codec: Codec<T>;
  private readonly logger: LoggerLike;
  private readonly redis: (Redis | Cluster) & ProducerScripts;
  private readonly keys: QueueKeys;

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
    this.leaseMs = options.leaseMs;
    this.batchSize = options.batchSize;
    this.maxStalls = options.maxStalls;
    this.codec = options.codec;
    this.logger = options.logger;
    this.keys = queueKeys(options.prefix, options.name);
    this.wakeChannel = this.keys.wake;
    this.redis = defineProducerScripts(redis) as (Redis | Cluster) & ProducerScripts;
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

  /** Pending, in-flight, delayed (waiting to retry) and dead counts. */
  async stats(): Promise<QueueStats> {
    const [pending, inFlight, delayed, dead] = await Promise.all([
      this.redis.llen(this.keys.pending),
      this.redis.zcard(this.keys.inflight),
      this.redis.zcard(this.keys.delayed),
      this.redis.hlen(this.keys.dead),
    ]);
    return { pending, inFlight, delayed, dead };
  }

  /**
   * Moves every dead letter back to pending (one script); returns whether there were any. A
   * re-sent call (its reply was lost) answers what the first run did.
   */
  async requeue(): Promise<boolean> {
    const k = this.keys;
    const answer = `${k.requeued}${randomUUID()}`;
    return (
      (await this.redis.octoQueueRequeue(k.dead, k.items, k.pending, answer, k.wake, REQUEUE_ANSWER_MS)) > 0
    );
  }

  /** Dead letters with their errors (up to `limit`). */
  async deadLetters(limit = 100): Promise<DeadLetter[]> {
    count("limit", limit, 1);
    const all = await this.redis.hgetall(this.keys.dead);
    return Object.entries(all)
      .slice(0, limit)
      .map(([id, text]) => {
        const entry = JSON.parse(text);
        return {
          id,
          payload: entry.payload,
          attempts: entry.attempts,
          error: entry.error,
          firstFailedAt: new Date(entry.firstFailedAt),
          lastFailedAt: new Date(entry.lastFailedAt),
        };
      });
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
        timeoutMs: this.timeoutMs,
        batchSize: this.batchSize,
        maxStalls: this.maxStalls,
        parallelism,
        graceMs,
        signal,
        logger: options.logger ?? this.logger,
      },
      handler,
    ).run();
  }
}
