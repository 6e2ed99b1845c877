import { randomUUID } from "node:crypto";
import { describeThrown, InvalidArgumentError } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import type { Codec } from "./codec";
import type { QueueKeys } from "./keys";
import { count } from "./options";
import type { ProducerScripts } from "./producer-scripts";

/** One entry of `deadLetters()`. Exactly one of `item` and `undecodable` is set. */
export interface DeadLetter<T = unknown> {
  /** The id the item had in the queue; pass it to `requeue` or `removeDeadLetters`. */
  id: string;
  /** The item, decoded through the queue's codec. */
  item?: T;
  /** Set instead of `item` when the stored text cannot be decoded: the text and why. */
  undecodable?: { raw: string; reason: string };
  /** The last failure's error (its stack when it had one). */
  error: string;
  /** Attempts made, the last one included. */
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
}

/**
 * An entry of the older `deadLetters(limit)` form: also the stored text as `payload`.
 * @deprecated use `deadLetters({ limit, cursor })` and its decoded `item`.
 */
export interface LegacyDeadLetter<T = unknown> extends DeadLetter<T> {
  payload: string;
}

/** Options of `deadLetters({ limit, cursor })`. */
export interface DeadLetterPageOptions {
  /** About how many entries one page holds (one bounded Redis call), 1 to 1,000. Default 100. */
  limit?: number;
  /** The `cursor` of the previous page; omit it for the first page. */
  cursor?: string;
}

/** One page of dead letters; `cursor` is null after the last page. */
export interface DeadLetterPage<T = unknown> {
  items: DeadLetter<T>[];
  cursor: string | null;
}

/** What the dead-letter tools need from their queue. */
export interface DeadLetterTarget<T> {
  redis: Redis | Cluster;
  scripts: ProducerScripts;
  keys: QueueKeys;
  codec: Codec<T>;
  batchSize: number;
}

/** How long a requeue's or removal's answer is kept for a re-sent call. */
const ANSWER_MS = 5 * 60_000;
const MAX_PAGE = 1000;

/**
 * Reads one page with HSCAN, so no call walks the whole dead letter. A cursor is
 * `<HSCAN cursor>:<last id returned>`: HSCAN may hand back more than asked for (a small hash
 * comes whole), so the rest of that scan step is read again and resumed after the last id.
 */
export async function readDeadLetters<T>(
  target: DeadLetterTarget<T>,
  options: DeadLetterPageOptions,
  keepPayload = false,
): Promise<DeadLetterPage<T>> {
  if (typeof options !== "object" || options === null) {
    throw InvalidArgumentError.expected("options", options, "an object such as { limit, cursor }");
  }
  const limit = count("options.limit", options.limit ?? 100, 1, MAX_PAGE);
  let scan = "0";
  let after: string | undefined;
  if (options.cursor !== undefined) {
    const match = typeof options.cursor === "string" ? /^(\d+):(.*)$/s.exec(options.cursor) : null;
    if (!match) {
      throw InvalidArgumentError.expected(
        "options.cursor",
        options.cursor,
        "the cursor of the previous page, or nothing for the first page",
      );
    }
    scan = match[1] as string;
    after = match[2];
  }
  const items: DeadLetter<T>[] = [];
  for (;;) {
    const [next, flat] = await target.redis.hscan(target.keys.dead, scan, "COUNT", limit);
    const entries: [string, string][] = [];
    for (let i = 0; i < flat.length; i += 2) entries.push([flat[i] as string, flat[i + 1] as string]);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const fresh = after === undefined ? entries : entries.filter(([id]) => id > (after as string));
    const room = limit - items.length;
    for (const [id, text] of fresh.slice(0, room))
      items.push(decodeEntry(target.codec, id, text, keepPayload));
    if (fresh.length > room) {
      return { items, cursor: `${scan}:${items[items.length - 1]?.id}` };
    }
    after = undefined;
    scan = next;
    if (scan === "0") return { items, cursor: null };
    if (items.length >= limit) return { items, cursor: `${scan}:` };
  }
}

function decodeEntry<T>(codec: Codec<T>, id: string, text: string, keepPayload: boolean): DeadLetter<T> {
  const entry = JSON.parse(text) as {
    payload: string;
    attempts: number;
    error: string;
    firstFailedAt: number;
    lastFailedAt: number;
  };
  const letter: DeadLetter<T> = {
    id,
    error: entry.error,
    attempts: entry.attempts,
    firstFailedAt: new Date(entry.firstFailedAt),
    lastFailedAt: new Date(entry.lastFailedAt),
  };
  if (keepPayload) (letter as LegacyDeadLetter<T>).payload = entry.payload;
  try {
    letter.item = codec.decode(entry.payload);
  } catch (error) {
    letter.undecodable = { raw: entry.payload, reason: describeThrown(error) };
  }
  return letter;
}

/** The older form: up to `limit` entries, read page by page, with their stored text too. */
export async function readLegacyDeadLetters<T>(
  target: DeadLetterTarget<T>,
  limit: number,
): Promise<LegacyDeadLetter<T>[]> {
  count("limit", limit, 1);
  const letters: LegacyDeadLetter<T>[] = [];
  let cursor: string | undefined;
  do {
    const page = await readDeadLetters(
      target,
      { limit: Math.min(MAX_PAGE, limit - letters.length), cursor },
      true,
    );
    letters.push(...(page.items as LegacyDeadLetter<T>[]));
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined && letters.length < limit);
  return letters;
}

/**
 * Moves dead letters back to pending, `batchSize` per script call: the given ids, or all of
 * them found by HSCAN when `ids` is omitted. Each call keeps its answer in Redis under an id of
 * its own, so a re-sent call moves nothing twice.
 */
export async function requeueDeadLetters<T>(target: DeadLetterTarget<T>, ids?: string[]): Promise<number> {
  const { redis, scripts, keys: k, batchSize } = target;
  const move = (batch: string[]) =>
    scripts.octoQueueRequeueIds(
      k.dead,
      k.items,
      k.pending,
      `${k.requeued}${randomUUID()}`,
      k.seq,
      k.dedup,
      k.keyOf,
      k.wake,
      ANSWER_MS,
      ...batch,
    );
  let moved = 0;
  if (ids !== undefined) {
    for (const batch of batches(checkIds(ids), batchSize)) moved += await move(batch);
    return moved;
  }
  let scan = "0";
  do {
    const [next, flat] = await redis.hscan(k.dead, scan, "COUNT", batchSize);
    const found: string[] = [];
    for (let i = 0; i < flat.length; i += 2) found.push(flat[i] as string);
    // A small hash comes whole from one HSCAN step: still write it batchSize at a time.
    for (const batch of batches(found, batchSize)) moved += await move(batch);
    scan = next;
  } while (scan !== "0");
  return moved;
}

/** Deletes the given dead letters, `batchSize` per script call; resolves to how many were. */
export async function removeDeadLetters<T>(target: DeadLetterTarget<T>, ids: string[]): Promise<number> {
  const { scripts, keys: k, batchSize } = target;
  let removed = 0;
  for (const batch of batches(checkIds(ids), batchSize)) {
    removed += await scripts.octoQueueRemoveDead(
      k.dead,
      `${k.removed}${randomUUID()}`,
      k.dedup,
      k.keyOf,
      ANSWER_MS,
      ...batch,
    );
  }
  return removed;
}

function checkIds(ids: unknown): string[] {
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string" || id === "")) {
    throw InvalidArgumentError.expected("ids", ids, "an array of dead letter ids (non-empty strings)");
  }
  return ids as string[];
}

function batches(ids: string[], size: number): string[][] {
  const out: string[][] = [];
  for (let from = 0; from < ids.length; from += size) out.push(ids.slice(from, from + size));
  return out;
}
