import { randomUUID } from "node:crypto";
import { type LoggerLike, silentLogger } from "@octo/logger";
import type { Cluster, Redis } from "ioredis";
import ms from "ms";
import ackScript from "./ack.lua";
import { type Codec, jsonCodec } from "./codec";
import deadLetterScript from "./dead-letter.lua";
import { InvalidArgumentError, UnencodableItemError } from "./errors";
import extendScript from "./extend.lua";
import failScript from "./fail.lua";
import fillAppendScript from "./fill-append.lua";
import fillBeginScript from "./fill-begin.lua";
import fillEndScript from "./fill-end.lua";
import requeueScript from "./requeue.lua";
import takeScript from "./take.lua";

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

/** Handed to a handler with each item. */
export interface WorkContext {
  /** 1-based attempt number. */
  attempt: number;
  /** Fires when the lease is lost or the worker stops. */
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

export type Handler<T> = (item: T, context: WorkContext) => Promise<void>;

type Scripts = {
  octoQueueTake(...args: (string | number)[]): Promise<[string[], (string | null)[]] | []>;
  octoQueueAck(...args: (string | number)[]): Promise<number>;
  octoQueueFail(...args: (string | number)[]): Promise<number>;
  octoQueueDeadLetter(...args: (string | number)[]): Promise<number>;
  octoQueueExtend(...args: (string | number)[]): Promise<string[]>;
  octoQueueFillBegin(...args: (string | number)[]): Promise<number>;
  octoQueueFillAppend(...args: (string | number)[]): Promise<number>;
  octoQueueFillEnd(...args: (string | number)[]): Promise<number>;
  octoQueueRequeue(...args: (string | number)[]): Promise<number>;
};

const SCRIPTS: [keyof Scripts, string, number][] = [
  ["octoQueueTake", takeScript, 4],
  ["octoQueueAck", ackScript, 2],
  ["octoQueueFail", failScript, 4],
  ["octoQueueDeadLetter", deadLetterScript, 3],
  ["octoQueueExtend", extendScript, 1],
  ["octoQueueFillBegin", fillBeginScript, 4],
  ["octoQueueFillAppend", fillAppendScript, 4],
  ["octoQueueFillEnd", fillEndScript, 1],
  ["octoQueueRequeue", requeueScript, 3],
];

function duration(argument: string, value: unknown): number {
  const parsed = typeof value === "string" ? ms(value as ms.StringValue) : value;
  if (typeof parsed !== "number" || !Number.isFinite(parsed) || parsed <= 0) {
    throw new InvalidArgumentError(argument, value, 'a positive duration ("10s" or milliseconds)');
  }
  return parsed;
}

function count(argument: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(argument, value, `an integer >= ${min}`);
  }
  return value;
}

const sleep = (time: number) => new Promise((resolve) => setTimeout(resolve, time));

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
  private readonly codec: Codec<T>;
  private readonly logger: LoggerLike;
  private readonly redis: (Redis | Cluster) & Scripts;
  private readonly keys: Record<
    "pending" | "inflight" | "items" | "delayed" | "dead" | "filling" | "seq",
    string
  >;

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
    this.batchSize = count("batchSize", options.batchSize ?? 100, 1);
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
    };
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
    return (await this.redis.octoQueueRequeue(k.dead, k.items, k.pending)) > 0;
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
    const logger = options.logger ?? this.logger;
    const signal = options.signal;
    const k = this.keys;
    const result: WorkResult = { processed: 0, failed: 0, deadLettered: 0 };
    const held = new Map<string, AbortController>();
    // Group commit: one ack call in flight at a time; acks arriving meanwhile go out together
    // in the next call, so an ack waits at most about one round trip and batches under load.
    let acks: string[] = [];
    let flushing: Promise<void> | undefined;
    const flushAcks = async (): Promise<void> => {
      while (flushing) await flushing;
      if (acks.length === 0) return;
      const batch = acks;
      acks = [];
      flushing = this.redis.octoQueueAck(k.inflight, k.items, ...batch).then(() => undefined);
      try {
        await flushing;
      } finally {
        flushing = undefined;
      }
    };
    const renew = setInterval(
      () => {
        const ids = [...held.keys()];
        if (ids.length === 0) return;
        this.redis.octoQueueExtend(k.inflight, this.leaseMs, ...ids).then(
          (lost) => {
            for (const id of lost) held.get(id)?.abort(new Error(`lease of item ${id} was lost`));
          },
          (err) => logger.warn({ err, queue: this.name }, "could not renew leases"),
        );
      },
      Math.max(Math.floor(this.leaseMs / 3), 10),
    );
    const runOne = async (id: string, value: string | null) => {
      const controller = new AbortController();
      held.set(id, controller);
      const onStop = () => controller.abort(new Error("worker stopped"));
      signal?.addEventListener("abort", onStop);
      try {
        let item: T;
        let attempt = 1;
        try {
          if (value === null) throw new Error("item data is missing");
          const match = /^(\d+)\|(\d+)\|/.exec(value);
          if (!match) throw new Error("item data has no attempt header");
          attempt = Number(match[1]) + 1;
          item = this.codec.decode(value.slice(match[0].length));
        } catch (err) {
          logger.error({ err, queue: this.name, id }, "undecodable item moved to the dead letter");
          await this.redis.octoQueueDeadLetter(
            k.inflight,
            k.items,
            k.dead,
            id,
            `decode error: ${(err as Error).message}`,
          );
          result.deadLettered++;
          return;
        }
        try {
          await handler(item, { attempt, signal: controller.signal, id });
          result.processed++;
          acks.push(id);
          if (!flushing)
            void flushAcks().catch((err) => logger.warn({ err, queue: this.name }, "ack failed"));
        } catch (err) {
          result.failed++;
          const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
          const outcome = await this.redis.octoQueueFail(
            k.inflight,
            k.items,
            k.delayed,
            k.dead,
            id,
            this.retries,
            this.timeoutMs,
            text,
          );
          if (outcome === 2) {
            result.deadLettered++;
            logger.error({ err, queue: this.name, id, attempt }, "item moved to the dead letter");
          } else {
            logger.warn({ err, queue: this.name, id, attempt }, "item failed, will retry");
          }
        }
      } finally {
        held.delete(id);
        signal?.removeEventListener("abort", onStop);
      }
    };
    try {
      let idleSince: number | undefined;
      let backoff = 10;
      while (!signal?.aborted) {
        const taken = await this.redis.octoQueueTake(
          k.pending,
          k.inflight,
          k.items,
          k.delayed,
          this.batchSize,
          this.leaseMs,
        );
        if (taken.length === 2 && taken[0].length > 0) {
          idleSince = undefined;
          backoff = 10;
          const [ids, values] = taken;
          let next = 0;
          const lane = async () => {
            while (next < ids.length) {
              const i = next++;
              // A stop finishes the whole batch in hand: those items are leased to this worker.
              await runOne(ids[i] as string, values[i] ?? null);
            }
          };
          await Promise.all(Array.from({ length: Math.min(parallelism, ids.length) }, lane));
          await flushAcks();
          continue;
        }
        const [pending, inflight, delayed, filling] = await Promise.all([
          this.redis.llen(k.pending),
          this.redis.zcard(k.inflight),
          this.redis.zcard(k.delayed),
          this.redis.exists(k.filling),
        ]);
        if (pending + inflight + delayed + filling === 0) {
          idleSince ??= Date.now();
          if (Date.now() - idleSince >= graceMs) break;
        } else {
          idleSince = undefined;
        }
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 200);
      }
    } finally {
      clearInterval(renew);
      await flushAcks();
    }
    return result;
  }
}
