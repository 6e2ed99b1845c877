import type { Cluster, Redis } from "ioredis";
import ackScript from "./ack.lua";
import deadLetterScript from "./dead-letter.lua";
import extendScript from "./extend.lua";
import failScript from "./fail.lua";
import { MAX_ITEMS_PER_CALL } from "./options";
import releaseScript from "./release.lua";
import takeScript from "./take.lua";

type Args = (string | number)[];

/** The scripts a worker runs, as ioredis commands (EVALSHA under the hood). */
export interface WorkerScripts {
  /** See take.lua: ids, values, deadline, stalls per id, [id, stalls] stalled, [id, attempts, error] dead. */
  octoQueueTake(
    ...args: Args
  ): Promise<[string[], (string | null)[], number, (string | null)[], string[], (string | number)[]] | []>;
  octoQueueExtend(...args: Args): Promise<number[]>;
  octoQueueAck(...args: Args): Promise<number[]>;
  octoQueueFail(...args: Args): Promise<number>;
  octoQueueDeadLetter(...args: Args): Promise<number>;
  octoQueueRelease(...args: Args): Promise<number>;
}

const DEFINITIONS: [keyof WorkerScripts, string, number][] = [
  ["octoQueueTake", takeScript, 10],
  ["octoQueueExtend", extendScript, 3],
  ["octoQueueAck", ackScript, 7],
  ["octoQueueFail", failScript, 9],
  ["octoQueueDeadLetter", deadLetterScript, 8],
  ["octoQueueRelease", releaseScript, 5],
];

/** Answers of the scripts that end or renew one lease. */
export const LEASE_HELD = 1;
export const LEASE_LOST = -1;
export const ITEM_MISSING = -2;

/** Defines the worker's scripts on the client once; later calls find them defined. */
export function withWorkerScripts(redis: Redis | Cluster): (Redis | Cluster) & WorkerScripts {
  for (const [command, lua, numberOfKeys] of DEFINITIONS) {
    if (!(command in redis)) redis.defineCommand(command, { lua, numberOfKeys });
  }
  return redis as (Redis | Cluster) & WorkerScripts;
}

/** Splits `items` into runs of at most MAX_ITEMS_PER_CALL, one script call each. */
export function perCall<T>(items: T[]): T[][] {
  const calls: T[][] = [];
  for (let from = 0; from < items.length; from += MAX_ITEMS_PER_CALL) {
    calls.push(items.slice(from, from + MAX_ITEMS_PER_CALL));
  }
  return calls;
}
