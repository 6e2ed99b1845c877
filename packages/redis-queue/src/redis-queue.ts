import { randomUUID } from "node:crypto";
import { type LoggerLike, silentLogger } from "@octo/logger";
import type { Cluster, Redis } from "ioredis";
import ms from "ms";
import { type Codec, jsonCodec } from "./codec";
import { InvalidArgumentError, UnencodableItemError } from "./errors";
import fillAppendScript from "./fill-append.lua";
import fillBeginScript from "./fill-begin.lua";
import fillEndScript from "./fill-end.lua";
import requeueScript from "./requeue.lua";
import type { Handler, WorkResult } from "./work-types";
import { Worker } from "./worker";
import { MAX_ITEMS_PER_CALL } from "./worker-scripts";

/** Options of `new RedisQueue(name, redis, options)`. */
export interface QueueOptions<T> {
  /** Retries after the first failure before an item is dead-lettered. Default 3. */
  retries?: number;
  /** Minimum wait before the first retry (doubles after each). `ms` string or ms. Default "10s". */
  timeout?: string | number;
  /** How long a taken item stays leased without renewal. Default "30s". */
  leaseTime?: string | number;
  /** Key prefix. Default "octo". */
  prefix?: string;
  /** How items are stored. Default JSON that keeps Dates. */
  codec?: Codec<T>;
  /** Where the queue logs. Default silent. */
  logger?: LoggerLike;
  /** Items per take / fill round trip. Default 100. */
  batchSize?: number;
  /**
   * Lease expiries of a running item (its worker died or hung) tolerated before the item goes to
   * the dead letter, so an item that crashes its workers cannot loop forever. An integer >= 0;
   * default 1, as BullMQ's `maxStalledCount`: the item is run again once, and dead-lettered when
   * it stalls a second time.
   */
  maxStalls?: number;
}

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

type Scripts = {
  octoQueueFillBegin(...args: (string | number)[]): Promise<number>;
  octoQueueFillAppend(...args: (string | number)[]): Promise<number>;
  octoQueueFillEnd(...args: (string | number)[]): Promise<number>;
  octoQueueRequeue(...args: (string | number)[]): Promise<number>;
};

const SCRIPTS: [keyof Scripts, string, number][] = [
  ["octoQueueFillBegin", fillBeginScript, 4],
  ["octoQueueFillAppend", fillAppendScript, 4],
  ["octoQueueFillEnd", fillEndScript, 1],
  ["octoQueueRequeue", requeueScript, 3],
];

type QueueKeys = Record<
  | "pending"
  | "inflight"
  | "items"
  | "delayed"
  | "dead"
  | "filling"
  | "seq"
  | "wake"
  | "lease"
  | "stalls"
  | "workers",
  string
>;

function duration(argument: string, value: unknown): number {
  const parsed = typeof value === "string" ? ms(value as ms.StringValue) : value;
  if (typeof parsed !== "number" || !Number.isFinite(parsed) || parsed <= 0) {
    throw new InvalidArgumentError(argument, value, 'a positive duration ("10s" or milliseconds)');
  }
  return parsed;
}

function count(argument: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new InvalidArgumentError(argument, value, `an integer ${range}`);
  }
  return value;
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
  readonly maxStalls: number;
  /**
   * The pub/sub channel told the number of items whenever items become pending (fill, requeue,
   * a stopping worker's give-back). Idle workers listen on it; so can anyone else.
   */
  readonly wakeChannel: string;
  private readonly codec: Codec<T>;
  private readonly logger: LoggerLike;
  private readonly redis: (Redis | Cluster) & Scripts;
  private readonly keys: QueueKeys;

  constructor(name: string, redis: Redis | Cluster, retries?: number, timeout?: string | number);
  constructor(name: string, redis: Redis | Cluster, options?: QueueOptions<T>);
  constructor(
    name: string,
    redis: Redis | Cluster,
    retriesOrOptions?: number | QueueOptions<T>,
    timeout?: string | number,
  ) {
    const options: QueueOptions<T> =
      typeof retriesOrOptions === "object" && retriesOrOptions !== null
        ? retriesOrOptions
        : { retries: retriesOrOptions, timeout };
    if (typeof name !== "string" || name.length === 0) {
      throw new InvalidArgumentError("name", name, "a non-empty string");
    }
    if (typeof redis !== "object" || redis === null || typeof (redis as Redis).defineCommand !== "function") {
      throw new InvalidArgumentError("redis", redis, "an ioredis Redis or Cluster client (new Redis(url))");
    }
    this.name = name;
    this.retries = count("retries", options.retries ?? 3, 0);
    this.timeoutMs = duration("timeout", options.timeout ?? "10s");
    this.leaseMs = duration("leaseTime", options.leaseTime ?? "30s");
    this.batchSize = count("batchSize", options.batchSize ?? 100, 1, MAX_ITEMS_PER_CALL);
    this.maxStalls = count("maxStalls", options.maxStalls ?? 1, 0);
    const prefix = options.prefix ?? "octo";
    if (typeof prefix !== "string" || prefix.length === 0) {
      throw new InvalidArgumentError("prefix", prefix, "a non-empty string");
    }
    this.codec = options.codec ?? (jsonCodec as Codec<T>);
    this.logger = options.logger ?? silentLogger;
    const base = `${prefix}:q:{${name}}:`;
    this.keys = {
      pending: `${base}pending`,
      inflight: `${base}inflight`,
      items: `${base}items`,
      delayed: `${base}delayed`,
      dead: `${base}dead`,
      filling: `${base}filling`,
      seq: `${base}seq`,
      // A pub/sub channel, not a key: told whenever items become pending, so idle workers wake.
      wake: `${base}wake`,
      lease: `${base}lease`,
      stalls: `${base}stalls`,
      workers: `${base}worker:`,
    };
    this.wakeChannel = this.keys.wake;
    for (const [command, lua, numberOfKeys] of SCRIPTS) {
      if (!(command in redis)) redis.defineCommand(command, { lua, numberOfKeys });
    }
    this.redis = redis as (Redis | Cluster) & Scripts;
  }

  /**
   * Adds items unless the queue still has pending, in-flight or delayed items or another fill
   * is running; returns whether this call wrote. A generator is written batch by batch.
   */
  async fill(items: T[] | AsyncIterable<T[]>): Promise<boolean> {
    const isArray = Array.isArray(items);
    if (!isArray && !(items && typeof (items as AsyncIterable<T[]>)[Symbol.asyncIterator] === "function")) {
      throw new InvalidArgumentError("items", items, "an array or an async iterable of arrays");
    }
    const first = isArray ? this.encodeBatch(items, 0) : undefined;
    const k = this.keys;
    const token = randomUUID();
    const ttl = Math.max(this.leaseMs, 10_000);
    const begun = await this.redis.octoQueueFillBegin(
      k.pending,
      k.inflight,
      k.delayed,
      k.filling,
      token,
      ttl,
    );
    if (begun !== 1) return false;
    try {
      const append = async (encoded: string[]) => {
        const ok = await this.redis.octoQueueFillAppend(
          k.filling,
          k.seq,
          k.items,
          k.pending,
          token,
          ttl,
          k.wake,
          ...encoded,
        );
        if (ok !== 1) throw new Error(`fill of queue "${this.name}" lost its filling marker (ttl ${ttl} ms)`);
      };
      if (first) {
        for (let i = 0; i < first.length; i += this.batchSize)
          await append(first.slice(i, i + this.batchSize));
      } else {
        let offset = 0;
        for await (const batch of items as AsyncIterable<T[]>) {
          if (!Array.isArray(batch))
            throw new InvalidArgumentError("items", batch, "batches that are arrays");
          const encoded = this.encodeBatch(batch, offset);
          offset += batch.length;
          for (let i = 0; i < encoded.length; i += this.batchSize)
            await append(encoded.slice(i, i + this.batchSize));
        }
      }
    } finally {
      await this.redis.octoQueueFillEnd(k.filling, token);
    }
    return true;
  }

  private encodeBatch(items: T[], offset: number): string[] {
    return items.map((item, i) => {
      try {
        return this.codec.encode(item);
      } catch (error) {
        throw new UnencodableItemError(offset + i, (error as Error).message);
      }
    });
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

  /** Moves every dead letter back to pending; returns whether there were any. */
  async requeue(): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.octoQueueRequeue(k.dead, k.items, k.pending, k.wake)) > 0;
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
    if (typeof handler !== "function") throw new InvalidArgumentError("handler", handler, "a function");
    const isLogger = loggerOrOptions && typeof (loggerOrOptions as LoggerLike).info === "function";
    const options: WorkOptions = isLogger
      ? { logger: loggerOrOptions as LoggerLike, parallelism: parallelismArg }
      : ((loggerOrOptions as WorkOptions | undefined) ?? { parallelism: parallelismArg });
    const parallelism = count("parallelism", options.parallelism ?? 1, 1);
    const graceMs = options.drainGraceMs ?? 1000;
    if (typeof graceMs !== "number" || !(graceMs >= 0)) {
      throw new InvalidArgumentError("drainGraceMs", graceMs, "a number >= 0");
    }
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new InvalidArgumentError("signal", signal, "an AbortSignal");
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
