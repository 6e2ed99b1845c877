import { defineScripts, type ScriptDefinition } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import addScript from "./add.lua";
import fillAppendScript from "./fill-append.lua";
import fillBeginScript from "./fill-begin.lua";
import fillEndScript from "./fill-end.lua";
import fillRenewScript from "./fill-renew.lua";
import removeDeadScript from "./remove-dead.lua";
import requeueScript from "./requeue.lua";
import statsScript from "./stats.lua";

/** The scripts that put items into a queue or manage it (EVALSHA under the hood), keys first. */
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

const PRODUCER_SCRIPTS: Record<keyof ProducerScripts, ScriptDefinition> = {
  octoQueueFillBegin: { lua: fillBeginScript, numberOfKeys: 4 },
  octoQueueFillAppend: { lua: fillAppendScript, numberOfKeys: 4 },
  octoQueueFillRenew: { lua: fillRenewScript, numberOfKeys: 1 },
  octoQueueFillEnd: { lua: fillEndScript, numberOfKeys: 1 },
  octoQueueAdd: { lua: addScript, numberOfKeys: 7 },
  octoQueueRequeueIds: { lua: requeueScript, numberOfKeys: 7 },
  octoQueueRemoveDead: { lua: removeDeadScript, numberOfKeys: 4 },
  octoQueueStats: { lua: statsScript, numberOfKeys: 4 },
};

/** The producer scripts on this client, defined once (several queues may share one client). */
export function producerScripts(redis: Redis | Cluster): ProducerScripts {
  return defineScripts(redis, PRODUCER_SCRIPTS) as unknown as ProducerScripts;
}
