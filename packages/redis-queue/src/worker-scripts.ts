import { defineScripts, type ScriptDefinition } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import ackScript from "./ack.lua";
import deadLetterScript from "./dead-letter.lua";
import extendScript from "./extend.lua";
import failScript from "./fail.lua";
import { MAX_ITEMS_PER_CALL } from "./options";
import releaseScript from "./release.lua";
import takeScript from "./take.lua";

type Args = (string | number)[];

/** The scripts a worker runs (EVALSHA under the hood), keys first. */
export interface WorkerScripts {
  /**
   * See take.lua: entries ("<id> <stored value>", or "<id>" when the value is missing; one
   * string, separated by NUL bytes, or one per item), deadline, stalls per item,
   * [id, stalls] stalled, [id, attempts, error] dead.
   */
  octoQueueTake(
    ...args: Args
  ): Promise<[string | string[], number, (string | null)[], string[], (string | number)[]] | []>;
  octoQueueExtend(...args: Args): Promise<number[]>;
  /** See ack.lua: one character per item, read with `ackCode`. */
  octoQueueAck(...args: Args): Promise<string>;
  octoQueueFail(...args: Args): Promise<number>;
  octoQueueDeadLetter(...args: Args): Promise<number>;
  octoQueueRelease(...args: Args): Promise<number>;
}

const DEFINITIONS: Record<keyof WorkerScripts, ScriptDefinition> = {
  octoQueueTake: { lua: takeScript, numberOfKeys: 11 },
  octoQueueExtend: { lua: extendScript, numberOfKeys: 3 },
  octoQueueAck: { lua: ackScript, numberOfKeys: 8 },
  octoQueueFail: { lua: failScript, numberOfKeys: 10 },
  octoQueueDeadLetter: { lua: deadLetterScript, numberOfKeys: 9 },
  octoQueueRelease: { lua: releaseScript, numberOfKeys: 6 },
};

/** Answers of the scripts that end or renew one lease. */
export const LEASE_HELD = 1;
export const LEASE_LOST = -1;
export const ITEM_MISSING = -2;

const ACK_CODES: Record<string, number> = { h: LEASE_HELD, l: LEASE_LOST, m: ITEM_MISSING };

/** The code of item `index` in an ack's answer; 0 when the answer has none for it. */
export function ackCode(answer: string, index: number): number {
  return ACK_CODES[answer.charAt(index)] ?? 0;
}

/** The worker's scripts on this client, defined once (see defineScripts). */
export function workerScripts(redis: Redis | Cluster): WorkerScripts {
  return defineScripts(redis, DEFINITIONS) as unknown as WorkerScripts;
}

/** Splits `items` into runs of at most MAX_ITEMS_PER_CALL, one script call each. */
export function perCall<T>(items: T[]): T[][] {
  const calls: T[][] = [];
  for (let from = 0; from < items.length; from += MAX_ITEMS_PER_CALL) {
    calls.push(items.slice(from, from + MAX_ITEMS_PER_CALL));
  }
  return calls;
}
