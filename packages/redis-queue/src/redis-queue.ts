import { randomUUID } from "node:crypto";
import { InvalidArgumentError, type LoggerLike } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import ackScript from "./ack.lua";
import type { Codec } from "./codec";
import deadLetterScript from "./dead-letter.lua";
import extendScript from "./extend.lua";
import failScript from "./fail.lua";
import { Fill } from "./fill";
import { type QueueKeys, queueKeys } from "./keys";
import { count, MAX_ITEMS_PER_CALL, type QueueOptions, resolveQueueOptions } from "./options";
import { defineProducerScripts, type ProducerScripts } from "./producer-scripts";
import releaseScript from "./release.lua";
import takeScript from "./take.lua";

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
  octoQueueTake(...args: (string | number)[]): Promise<[string[], (string | null)[], number] | []>;
  octoQueueAck(...args: (string | number)[]): Promise<number>;
  octoQueueFail(...args: (string | number)[]): Promise<number>;
  octoQueueDeadLetter(...args: (string | number)[]): Promise<number>;
  octoQueueExtend(...args: (string | number)[]): Promise<[number, ...string[]]>;
  octoQueueRelease(...args: (string | number)[]): Promise<number>;
};

const SCRIPTS: [keyof Scripts, string, number][] = [
  ["octoQueueTake", takeScript, 4],
  ["octoQueueAck", ackScript, 2],
  ["octoQueueFail", failScript, 4],
  ["octoQueueDeadLetter", deadLetterScript, 3],
  ["octoQueueExtend", extendScript, 1],
  ["octoQueueRelease", releaseScript, 2],
];

/** How long a requeue's answer is kept for a re-sent call: longer than ioredis retries a command. */
const REQUEUE_ANSWER_MS = 5 * 60_000;

/** An idle worker looks for items again after this, doubling up to MAX_IDLE_MS. */
const MIN_IDLE_MS = 10;
const MAX_IDLE_MS = 200;
/** A worker takes enough items to keep its lanes busy this long at their recent pace. */
const LOOKAHEAD_MS = 20;

/** Script arguments `id, lease deadline, …` for the leases, one list per MAX_ITEMS_PER_CALL. */
function leaseArgs(leases: Lease[]): (string | number)[][] {
  const calls: (string | number)[][] = [];
  for (let from = 0; from < leases.length; from += MAX_ITEMS_PER_CALL) {
    const args: (string | number)[] = [];
    for (const lease of leases.slice(from, from + MAX_ITEMS_PER_CALL)) args.push(lease.id, lease.deadline);
    calls.push(args);
  }
  return calls;
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
  /**
   * The pub/sub channel told the number of items whenever items become pending (fill, requeue,
   * a stopping worker's give-back). Idle workers listen on it; so can anyone else.
   */
  readonly wakeChannel: string;
  private readonly codec: Codec<T>;
  private readonly logger: LoggerLike;
  private readonly redis: (Redis | Cluster) & Scripts & ProducerScripts;
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
    this.codec = options.codec;
    this.logger = options.logger;
    this.keys = queueKeys(options.prefix, options.name);
    this.wakeChannel = this.keys.wake;
    for (const [command, lua, numberOfKeys] of SCRIPTS) {
      if (!(command in redis)) redis.defineCommand(command, { lua, numberOfKeys });
    }
    this.redis = defineProducerScripts(redis) as (Redis | Cluster) & Scripts & ProducerScripts;
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
    return new Worker(this, this.redis, this.keys, this.codec, handler, {
      parallelism,
      graceMs,
      signal,
      logger: options.logger ?? this.logger,
    }).run();
  }
}

/** One taken item: its lease deadline (the lease's token) and, made on first use, its signal. */
class Lease {
  private controller?: AbortController;
  private reason?: Error;

  constructor(
    readonly id: string,
    readonly value: string | null,
    public deadline: number,
  ) {}

  /** Made lazily: most handlers never look at it, and an AbortController per item is costly. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: Error): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/**
 * One `work()` call. Lanes (one per unit of parallelism) pull leased items from a local buffer
 * that is topped up one batch ahead, so a take's round trip overlaps the handlers; acks are
 * group-committed. Every call that ends or renews a lease carries the deadline the worker was
 * given, so a worker that lost a lease cannot touch the item's next holder.
 */
class Worker<T> {
  private readonly result: WorkResult = { processed: 0, failed: 0, deadLettered: 0 };
  private subscriber?: Redis | Cluster;
  private wakeUp?: () => void;
  /** A wake-up came while the worker was not waiting (between a take and its idle wait). */
  private woken = false;
  /** Taken, not started yet. */
  private buffer: Lease[] = [];
  /** Started, handler not settled yet. */
  private readonly running = new Set<Lease>();
  private taking?: Promise<void>;
  private extending?: Promise<void>;
  private acks: Lease[] = [];
  private flushing?: Promise<void>;
  private drained = false;
  private failure?: unknown;
  private idleSince?: number;
  private backoff = MIN_IDLE_MS;
  /** Items the worker aims to hold, from its recent pace; see takeSize(). */
  private want: number;
  private settledCount = 0;
  private paceAt = performance.now();
  private paceCount = 0;
  private pace = 0;

  constructor(
    private readonly queue: RedisQueue<T>,
    private readonly redis: Scripts & (Redis | Cluster),
    private readonly k: QueueKeys,
    private readonly codec: Codec<T>,
    private readonly handler: Handler<T>,
    private readonly options: {
      parallelism: number;
      graceMs: number;
      signal?: AbortSignal;
      logger: LoggerLike;
    },
  ) {
    this.want = Math.min(queue.batchSize, options.parallelism);
  }

  async run(): Promise<WorkResult> {
    const { signal, parallelism } = this.options;
    const onStop = () => {
      for (const lease of this.running) lease.abort(new Error("worker stopped"));
      this.wakeUp?.();
    };
    signal?.addEventListener("abort", onStop);
    const renew = setInterval(() => this.renew(), Math.max(Math.floor(this.queue.leaseMs / 3), 10));
    try {
      await Promise.all(Array.from({ length: parallelism }, () => this.lane()));
    } finally {
      clearInterval(renew);
      this.wakeUp?.();
      signal?.removeEventListener("abort", onStop);
      await this.taking;
      await this.closeSubscriber();
      await this.release();
      await this.flushAcks();
    }
    if (this.failure !== undefined) throw this.failure;
    return this.result;
  }

  private get stopping(): boolean {
    return this.options.signal?.aborted === true || this.drained || this.failure !== undefined;
  }

  private async lane(): Promise<void> {
    for (;;) {
      const lease = await this.next();
      if (!lease) return;
      this.running.add(lease);
      try {
        await this.process(lease);
      } catch (error) {
        // Redis refused to record an outcome: stop taking, let the other lanes finish their
        // items, and reject work() with it. The item's lease runs out and it is taken again.
        this.failure ??= error;
      } finally {
        this.running.delete(lease);
        this.settledCount++;
      }
    }
  }

  private async next(): Promise<Lease | undefined> {
    for (;;) {
      if (this.stopping) return undefined;
      const lease = this.buffer.shift();
      if (lease) {
        if (this.buffer.length < this.want / 2) this.fetch();
        return lease;
      }
      await this.fetch();
    }
  }

  /** Starts a take unless one is running; never rejects (a failure stops the worker). */
  private fetch(): Promise<void> {
    if (!this.taking && !this.stopping) {
      this.taking = this.take()
        .catch((error) => {
          this.failure ??= error;
        })
        .finally(() => {
          this.taking = undefined;
        });
    }
    return this.taking ?? Promise.resolve();
  }

  private async take(): Promise<void> {
    const k = this.k;
    const taken = await this.redis.octoQueueTake(
      k.pending,
      k.inflight,
      k.items,
      k.delayed,
      this.takeSize(),
      this.queue.leaseMs,
    );
    if (taken.length === 3 && taken[0].length > 0) {
      this.idleSince = undefined;
      this.backoff = MIN_IDLE_MS;
      const [ids, values, deadline] = taken;
      for (let i = 0; i < ids.length; i++) {
        this.buffer.push(new Lease(ids[i] as string, values[i] ?? null, deadline));
      }
      return;
    }
    // Nothing pending: the queue is drained once nothing is in flight, waiting to retry or being
    // filled (by anyone) for the whole grace period. Otherwise wait, backing off, and look again.
    const [pending, inflight, delayed, filling] = await Promise.all([
      this.redis.llen(k.pending),
      this.redis.zcard(k.inflight),
      this.redis.zcard(k.delayed),
      this.redis.exists(k.filling),
    ]);
    if (pending + inflight + delayed + filling === 0) {
      this.idleSince ??= Date.now();
      if (Date.now() - this.idleSince >= this.options.graceMs) {
        this.drained = true;
        return;
      }
    } else {
      this.idleSince = undefined;
    }
    await this.idle(this.backoff);
    this.backoff = Math.min(this.backoff * 2, MAX_IDLE_MS);
  }

  /**
   * How many items to take: enough to keep every lane busy for LOOKAHEAD_MS at the pace items
   * have been settling, at least `parallelism`, at most `batchSize`. Fast handlers get big
   * batches (few round trips); slow ones take about one item per lane, so a worker never
   * hoards items that other workers could start now.
   */
  private takeSize(): number {
    const now = performance.now();
    const elapsed = now - this.paceAt;
    if (elapsed >= LOOKAHEAD_MS) {
      const recent = ((this.settledCount - this.paceCount) * 1000) / elapsed;
      this.pace = this.pace === 0 ? recent : (this.pace + recent) / 2;
      this.paceAt = now;
      this.paceCount = this.settledCount;
    }
    const ahead = Math.ceil((this.pace * LOOKAHEAD_MS) / 1000);
    this.want = Math.min(this.queue.batchSize, Math.max(this.options.parallelism, ahead));
    return this.want;
  }

  /**
   * Waits up to `ms`, or until items become pending: an idle worker subscribes (on a connection
   * of its own, opened the first time it is idle and closed when `work` ends) to the queue's
   * wake-up channel, which fill, requeue and release publish to. Polling on a timer stays as the
   * fallback, and is what finds retries falling due and leases running out.
   */
  private async idle(ms: number): Promise<void> {
    if (this.stopping) return;
    this.subscriber ??= this.subscribe();
    if (this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wakeUp === done) self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private subscribe(): Redis | Cluster {
    const { logger } = this.options;
    // ioredis 6 types Redis's and Cluster's duplicate() with overloads a union cannot call.
    const duplicate: () => Redis | Cluster = this.redis.duplicate.bind(this.redis);
    const subscriber = duplicate();
    subscriber.on("error", (err: unknown) =>
      logger.debug({ err, queue: this.queue.name }, "wake-up connection error; polling meanwhile"),
    );
    subscriber.on("message", () => {
      if (this.wakeUp) this.wakeUp();
      else this.woken = true;
    });
    subscriber.subscribe(this.k.wake).catch((err: unknown) => {
      logger.debug({ err, queue: this.queue.name }, "could not subscribe to wake-ups; polling");
    });
    return subscriber;
  }

  private async closeSubscriber(): Promise<void> {
    const subscriber = this.subscriber;
    if (!subscriber) return;
    this.subscriber = undefined;
    // QUIT waits for a reconnecting connection; never let that hold up the end of work().
    await Promise.race([subscriber.quit().catch(() => undefined), sleep(1000)]);
    subscriber.disconnect();
  }

  private async process(lease: Lease): Promise<void> {
    const { logger } = this.options;
    const name = this.queue.name;
    const id = lease.id;
    let item: T;
    let attempt: number;
    try {
      const value = lease.value;
      if (value === null) throw new Error("item data is missing");
      const bar1 = value.indexOf("|");
      const bar2 = bar1 < 0 ? -1 : value.indexOf("|", bar1 + 1);
      if (bar2 < 0) throw new Error("item data has no attempt header");
      attempt = Number(value.slice(0, bar1)) + 1;
      item = this.codec.decode(value.slice(bar2 + 1));
    } catch (err) {
      await this.settled();
      const k = this.k;
      const moved = await this.redis.octoQueueDeadLetter(
        k.inflight,
        k.items,
        k.dead,
        id,
        lease.deadline,
        `decode error: ${(err as Error).message}`,
      );
      if (moved === 1) {
        this.result.deadLettered++;
        logger.error({ err, queue: name, id }, "undecodable item moved to the dead letter");
      }
      return;
    }
    try {
      await this.handler(item, {
        attempt,
        id,
        get signal() {
          return lease.signal;
        },
      });
    } catch (err) {
      this.result.failed++;
      await this.fail(lease, attempt, err);
      return;
    }
    this.result.processed++;
    this.acks.push(lease);
    if (!this.flushing) {
      void this.flushAcks().catch((err) => logger.warn({ err, queue: name }, "ack failed"));
    }
  }

  private async fail(lease: Lease, attempt: number, err: unknown): Promise<void> {
    const { logger } = this.options;
    const k = this.k;
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    await this.settled();
    const outcome = await this.redis.octoQueueFail(
      k.inflight,
      k.items,
      k.delayed,
      k.dead,
      lease.id,
      lease.deadline,
      this.queue.retries,
      this.queue.timeoutMs,
      text,
    );
    const fields = { err, queue: this.queue.name, id: lease.id, attempt };
    if (outcome === 2) {
      this.result.deadLettered++;
      logger.error(fields, "item moved to the dead letter");
    } else if (outcome === 1) {
      logger.warn(fields, "item failed, will retry");
    } else {
      logger.warn(fields, "item failed after its lease was lost; its new holder decides");
    }
  }

  /** Group commit: one ack call in flight at a time; acks arriving meanwhile go in the next one. */
  private async flushAcks(): Promise<void> {
    while (this.flushing) await this.flushing;
    while (this.acks.length > 0) {
      const batch = this.acks;
      this.acks = [];
      this.flushing = this.sendAcks(batch);
      try {
        await this.flushing;
      } finally {
        this.flushing = undefined;
      }
    }
  }

  private async sendAcks(batch: Lease[]): Promise<void> {
    await this.settled();
    let removed = 0;
    for (const args of leaseArgs(batch)) {
      removed += await this.redis.octoQueueAck(this.k.inflight, this.k.items, ...args);
    }
    if (removed < batch.length) {
      this.options.logger.warn(
        { queue: this.queue.name, refused: batch.length - removed },
        "acks refused: their leases had run out and the items were taken again",
      );
    }
  }

  /** Waits for a lease renewal in flight, so the next call carries the renewed deadlines. */
  private async settled(): Promise<void> {
    while (this.extending) await this.extending;
  }

  private renew(): void {
    if (this.extending) return;
    const leases = [...this.running, ...this.buffer];
    if (leases.length === 0) return;
    const renewed = new Map<string, number>();
    const lost = new Set<string>();
    const extend = async () => {
      for (const args of leaseArgs(leases)) {
        const [deadline, ...lostIds] = await this.redis.octoQueueExtend(
          this.k.inflight,
          this.queue.leaseMs,
          ...args,
        );
        for (let i = 0; i < args.length; i += 2) renewed.set(String(args[i]), Number(deadline));
        for (const id of lostIds) lost.add(String(id));
      }
    };
    this.extending = extend()
      .catch((err) => this.options.logger.warn({ err, queue: this.queue.name }, "could not renew leases"))
      .then(() => {
        for (const lease of leases) {
          if (lost.has(lease.id)) lease.abort(new Error(`lease of item ${lease.id} was lost`));
          else lease.deadline = renewed.get(lease.id) ?? lease.deadline;
        }
        if (lost.size > 0) this.buffer = this.buffer.filter((lease) => !lost.has(lease.id));
      })
      .finally(() => {
        this.extending = undefined;
      });
  }

  /** Gives items taken but not started back to the head of pending. */
  private async release(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    await this.settled();
    try {
      // Last call first: each puts its items at the head, so the order they were taken is kept.
      for (const args of leaseArgs(batch).reverse()) {
        await this.redis.octoQueueRelease(this.k.inflight, this.k.pending, this.k.wake, ...args);
      }
    } catch (err) {
      // Not lost: their leases run out and any worker takes them again.
      this.options.logger.warn(
        { err, queue: this.queue.name, items: batch.length },
        "could not give back unstarted items; they return when their leases run out",
      );
    }
  }
}
