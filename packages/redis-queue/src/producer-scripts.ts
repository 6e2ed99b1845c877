import type { Cluster, Redis } from "ioredis";
import addScript from "./add.lua";
import fillAppendScript from "./fill-append.lua";
import fillBeginScript from "./fill-begin.lua";
import fillEndScript from "./fill-end.lua";
import fillRenewScript from "./fill-renew.lua";
import removeDeadScript from "./remove-dead.lua";
import requeueScript from "./requeue.lua";
import statsScript from "./stats.lua";

/** The scripts that put items into a queue or manage it, as ioredis commands (EVALSHA under the hood). */
export type ProducerScripts = {
  octoQueueFillBegin(...args: (string | number)[]): Promise<number>;
  octoQueueFillAppend(...args: (string | number)[]): Promise<number>;
  octoQueueFillRenew(...args: (string | number)[]): Promise<number>;
  octoQueueFillEnd(...args: (string | number)[]): Promise<number>;
  octoQueueAdd(...args: (string | number)[]): Promise<string>;
  octoQueueRequeueIds(...args: (string | number)[]): Promise<number>;
  octoQueueRemoveDead(...args: (string | number)[]): Promise<number>;
  octoQueueStats(...args: (string | number)[]): Promise<[number, number, number, number, number]>;
};

const PRODUCER_SCRIPTS: [keyof ProducerScripts, string, number][] = [
  ["octoQueueFillBegin", fillBeginScript, 4],
  ["octoQueueFillAppend", fillAppendScript, 4],
  ["octoQueueFillRenew", fillRenewScript, 1],
  ["octoQueueFillEnd", fillEndScript, 1],
  ["octoQueueAdd", addScript, 7],
  ["octoQueueRequeueIds", requeueScript, 7],
  ["octoQueueRemoveDead", removeDeadScript, 4],
  ["octoQueueStats", statsScript, 4],
];

/** Registers the producer scripts on a client once (several queues may share one client). */
export function defineProducerScripts(redis: Redis | Cluster): (Redis | Cluster) & ProducerScripts {
  for (const [command, lua, numberOfKeys] of PRODUCER_SCRIPTS) {
    if (!(command in redis)) redis.defineCommand(command, { lua, numberOfKeys });
  }
  return redis as (Redis | Cluster) & ProducerScripts;
}
