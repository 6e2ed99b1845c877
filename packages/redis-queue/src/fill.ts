import { randomUUID } from "node:crypto";
import { InvalidArgumentError, type LoggerLike, show } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import type { Codec } from "./codec";
import { encodeItem } from "./encode-item";
import { FillInterruptedError, UnencodableItemError } from "./errors";
import type { QueueKeys } from "./keys";
import type { ProducerScripts } from "./producer-scripts";

/**
 * How long a fill's marker lives without renewal. Short, so that workers stop waiting for a
 * filler that died within seconds; the filler renews it on a timer of its own while it runs.
 */
export const FILL_MARKER_TTL_MS = 10_000;
/** Renewed five times per TTL: several renewals in a row may fail or be late before it lapses. */
const FILL_MARKER_RENEW_MS = FILL_MARKER_TTL_MS / 5;

/** What a fill needs from its queue. */
export interface FillTarget<T> {
  name: string;
  redis: Redis | Cluster;
  scripts: ProducerScripts;
  keys: QueueKeys;
  codec: Codec<T>;
  batchSize: number;
  logger: LoggerLike;
}

/** claiming → writing → ended; `refused` when another fill or pending work was there first. */
type FillState = "idle" | "claiming" | "writing" | "ended" | "refused";

/**
 * One `fill()` call. It claims the queue with a marker holding its own id, writes numbered
 * batches (each one script call, skipped by Redis if that number was already written, so a
 * re-sent call never writes twice), keeps the marker alive on a timer for as long as it runs,
 * however slow its source, and deletes the marker when it ends.
 */
export class Fill<T> {
  private state: FillState = "idle";
  private readonly owner = randomUUID();
  private batch = 0;
  private written = 0;
  private keepAlive?: ReturnType<typeof setInterval>;
  private renewing?: Promise<void>;
  /** The marker is no longer this fill's (a renewal found it gone or another's). */
  private lost = false;

  constructor(private readonly target: FillTarget<T>) {}

  async run(items: T[] | AsyncIterable<T[]>): Promise<boolean> {
    if (this.state !== "idle") throw new Error("a Fill runs once");
    const isArray = Array.isArray(items);
    if (!isArray && !(items && typeof (items as AsyncIterable<T[]>)[Symbol.asyncIterator] === "function")) {
      throw InvalidArgumentError.expected("items", items, "an array of items or an async iterable of arrays");
    }
    // An array is encoded whole before anything is written: one bad item and nothing is.
    const encoded = isArray ? this.encode(items, 0) : undefined;
    this.state = "claiming";
    if (!(await this.claim())) {
      this.state = "refused";
      return false;
    }
    this.state = "writing";
    this.keepAlive = setInterval(() => this.renew(), FILL_MARKER_RENEW_MS);
    try {
      if (encoded) await this.write(encoded);
      else await this.stream(items as AsyncIterable<T[]>);
    } finally {
      clearInterval(this.keepAlive);
      await this.renewing;
      this.state = "ended";
      await this.end();
    }
    return true;
  }

  private async claim(): Promise<boolean> {
    const { scripts, keys } = this.target;
    const begun = await scripts.octoQueueFillBegin(
      keys.pending,
      keys.takes,
      keys.delayed,
      keys.filling,
      this.owner,
      FILL_MARKER_TTL_MS,
    );
    return begun === 1;
  }

  /**
   * Writes an async iterable's batches as they come. A batch that is not an array, or holds an
   * item that cannot be encoded, stops the fill: nothing of that batch is written, the batches
   * before it stay queued (workers may already be handling them), and the error says how many.
   */
  private async stream(source: AsyncIterable<T[]>): Promise<void> {
    let index = 0;
    let number = 0;
    for await (const batch of source) {
      number++;
      if (this.lost) throw new FillInterruptedError(this.target.name, this.written);
      if (!Array.isArray(batch)) {
        throw new InvalidArgumentError(
          "items",
          batch,
          `items yielded ${show(batch)} as batch ${number}, not an array: the fill stopped there. ` +
            `The ${this.written} items of earlier batches stay queued and nothing else was written; ` +
            "yield arrays of items",
        );
      }
      const encoded = this.encode(batch, index);
      index += batch.length;
      await this.write(encoded);
    }
  }

  private encode(items: T[], offset: number): string[] {
    const encoded = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) {
      try {
        encoded[i] = encodeItem(this.target.codec, items[i] as T, offset + i);
      } catch (error) {
        if (error instanceof UnencodableItemError && this.written > 0) {
          error.message += ` (the fill stopped; the ${this.written} items of earlier batches stay queued)`;
        }
        throw error;
      }
    }
    return encoded;
  }

  private async write(encoded: string[]): Promise<void> {
    const { scripts, keys, batchSize, name } = this.target;
    for (let from = 0; from < encoded.length; from += batchSize) {
      const payloads = encoded.slice(from, from + batchSize);
      this.batch++;
      const ok = await scripts.octoQueueFillAppend(
        keys.filling,
        keys.seq,
        keys.items,
        keys.pending,
        this.owner,
        FILL_MARKER_TTL_MS,
        keys.wake,
        this.batch,
        ...payloads,
      );
      if (ok !== 1) throw new FillInterruptedError(name, this.written);
      this.written += payloads.length;
    }
  }

  /** One renewal at a time; a failed one is retried by the next tick, long before the TTL ends. */
  private renew(): void {
    if (this.renewing || this.state !== "writing") return;
    const { scripts, keys, logger, name } = this.target;
    this.renewing = scripts
      .octoQueueFillRenew(keys.filling, this.owner, FILL_MARKER_TTL_MS)
      .then(
        (renewed) => {
          if (renewed !== 1) this.lost = true;
        },
        (err: unknown) => logger.warn({ err, queue: name }, "could not renew the fill marker; retrying"),
      )
      .finally(() => {
        this.renewing = undefined;
      });
  }

  /** Never throws: the items are written, and a marker left behind expires within its TTL. */
  private async end(): Promise<void> {
    const { scripts, keys, logger, name } = this.target;
    try {
      const ended = await scripts.octoQueueFillEnd(keys.filling, this.owner);
      if (ended !== 1) {
        logger.warn({ queue: name }, "the fill marker was another filler's when this fill ended");
      }
    } catch (err) {
      logger.warn(
        { err, queue: name },
        `could not delete the fill marker; it expires within ${FILL_MARKER_TTL_MS} ms`,
      );
    }
  }
}
