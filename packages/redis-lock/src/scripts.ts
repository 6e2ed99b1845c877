import type { Cluster, Redis } from "ioredis";
import acquireScript from "./acquire.lua";
import extendScript from "./extend.lua";
import releaseScript from "./release.lua";

type Reply = Promise<number>;

/** The scripts as ioredis exposes them once defined: `[lockKey, tokenKey, ...argv]`. */
interface LockCommands {
  octoLockAcquire(lockKey: string, tokenKey: string, owner: string, periodMs: number): Reply;
  octoLockRelease(lockKey: string, tokenKey: string, owner: string, token: string): Reply;
  octoLockExtend(lockKey: string, tokenKey: string, owner: string, periodMs: number, token: string): Reply;
}

const defined = new WeakMap<Redis | Cluster, LockCommands>();

/**
 * Defines the lock scripts on a client the first time it is used, so each runs as EVALSHA from
 * then on (ioredis falls back to EVAL once if the server lost its script cache, e.g. on restart).
 */
export function lockCommands(redis: Redis | Cluster): LockCommands {
  let commands = defined.get(redis);
  if (commands === undefined) {
    redis.defineCommand("octoLockAcquire", { numberOfKeys: 2, lua: acquireScript });
    redis.defineCommand("octoLockRelease", { numberOfKeys: 2, lua: releaseScript });
    redis.defineCommand("octoLockExtend", { numberOfKeys: 2, lua: extendScript });
    commands = redis as unknown as LockCommands;
    defined.set(redis, commands);
  }
  return commands;
}

/**
 * Both keys carry the group as a hash tag, so on Redis Cluster they sit in one slot and one
 * script may touch both.
 */
export function lockKeys(prefix: string, group: string): { lock: string; token: string } {
  const lock = `${prefix}:lock:{${group}}`;
  return { lock, token: `${lock}:token` };
}
