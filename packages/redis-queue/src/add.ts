import { describeThrown, InvalidArgumentError, parseDuration } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import { type AddSender, addSenderOf } from "./add-sender";
import type { Codec } from "./codec";
import { encodeItem } from "./encode-item";
import type { QueueKeys } from "./keys";
import type { ProducerScripts } from "./producer-scripts";

/** Options of `add(items, options)`. */
export interface AddOptions<T> {
  /**
   * How long the items wait before they can be taken: milliseconds (0 or more) or an `ms`
   * string. They wait in the delayed set, where retries wait, and become pending when due by
   * Redis time. Default 0: pending at once.
   */
  delay?: string | number;
  /**
   * A de-duplication key: a string when adding one item, a function `(item) => string` for an
   * array. An item whose key belongs to an item still pending, delayed or in flight is not
   * added (it counts in `skipped`); the key is free again once that item is acked or dead.
   */
  key?: string | ((item: T) => string);
}

/** What an `add` call did. */
export interface AddResult {
  /** Items written. */
  added: number;
  /** Items not written because their key belonged to a live item. */
  skipped: number;
}

/** What an add needs from its queue. */
export interface AddTarget<T> {
  redis: Redis | Cluster;
  scripts: ProducerScripts;
  keys: QueueKeys;
  codec: Codec<T>;
  batchSize: number;
}

/**
 * What an item's stored value starts with before it has failed: no failed attempts, no first
 * failure time (see includes/item-header.lua). Written here rather than in the script, where
 * joining it to every payload cost a tenth of an add's time in Redis.
 */
const NEW_ITEM_HEADER = "0|0|";

/** The longest delay, about 100 years: due times stay below 10^14 ms, which Lua prints exactly. */
export const MAX_DELAY_MS = 100 * 365 * 24 * 3600 * 1000;

/**
 * How long a sender's last answer is kept: longer than ioredis keeps re-sending a command whose
 * reply was lost.
 */
export const ADD_ANSWER_TTL_MS = 5 * 60_000;

/**
 * Validates and encodes everything first (one bad item or key and nothing is written), then
 * hands the items to the queue's sender (see AddSender) in units of up to `batchSize`: each
 * unit goes in one script call, shared with other adds made meanwhile when they fit.
 */
export async function addItems<T>(
  target: AddTarget<T>,
  items: T | T[],
  options: AddOptions<T> = {},
): Promise<AddResult> {
  if (typeof options !== "object" || options === null) {
    throw InvalidArgumentError.expected("options", options, "an object such as { delay, key }");
  }
  const list = Array.isArray(items) ? items : [items];
  const delayMs =
    options.delay === undefined || options.delay === null
      ? 0
      : parseDuration("options.delay", options.delay, {
          allowZero: true,
          max: MAX_DELAY_MS,
          maxReason: "a due time is kept as milliseconds of Redis time with at most 14 digits",
        });
  const keys = keysOf(list, Array.isArray(items), options.key);
  const payloads: string[] = [];
  for (let i = 0; i < list.length; i++) payloads.push(encodeItem(target.codec, list[i] as T, i));
  const { batchSize } = target;
  const sender = senderOf(target);
  const sent: Promise<string>[] = [];
  for (let from = 0; from < payloads.length; from += batchSize) {
    const to = Math.min(from + batchSize, payloads.length);
    const values: string[] = [];
    for (let i = from; i < to; i++) {
      if (keys) values.push(keys[i] as string);
      values.push(NEW_ITEM_HEADER + (payloads[i] as string));
    }
    sent.push(sender.add({ delay: delayMs, keyed: keys !== undefined, values, count: to - from, batchSize }));
  }
  // One call's answer needs no Promise.all: single adds are the common case.
  const statuses =
    sent.length === 1 ? await (sent[0] as Promise<string>) : (await Promise.all(sent)).join("");
  let added = 0;
  for (let i = 0; i < statuses.length; i++) if (statuses[i] === "1") added++;
  return { added, skipped: statuses.length - added };
}

function senderOf<T>(target: AddTarget<T>): AddSender {
  const { redis, scripts, keys: k } = target;
  return addSenderOf(redis, k.added, (answerKey, call, args) =>
    scripts.octoQueueAdd(
      k.seq,
      k.items,
      k.pending,
      k.delayed,
      k.dedup,
      k.keyOf,
      answerKey,
      k.wake,
      ADD_ANSWER_TTL_MS,
      call,
      ...args,
    ),
  );
}

function keysOf<T>(items: T[], isArray: boolean, key: AddOptions<T>["key"]): string[] | undefined {
  if (key === undefined) return undefined;
  if (typeof key === "string") {
    if (isArray) {
      throw InvalidArgumentError.expected(
        "options.key",
        key,
        "a function (item) => string when adding an array (a string key is for one item)",
      );
    }
    return [checkKey(key, "options.key")];
  }
  if (typeof key !== "function") {
    throw InvalidArgumentError.expected(
      "options.key",
      key,
      "a non-empty string or a function (item) => string",
    );
  }
  return items.map((item, index) => {
    let value: unknown;
    try {
      value = key(item);
    } catch (error) {
      throw new InvalidArgumentError(
        "options.key",
        key,
        `options.key threw for item ${index}: ${describeThrown(error)}; nothing was added`,
      );
    }
    return checkKey(value, `options.key(item ${index})`);
  });
}

function checkKey(value: unknown, argument: string): string {
  if (typeof value !== "string" || value === "") {
    throw InvalidArgumentError.expected(argument, value, "a non-empty string");
  }
  return value;
}
