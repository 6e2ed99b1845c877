import { defineScripts } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import acquireScript from "./acquire.lua";
import extendScript from "./extend.lua";
import releaseScript from "./release.lua";

type Reply = Promise<number>;

/** The keys of one lock group; see "Data in Redis" in the README. */
export interface LockKeys {
  lock: string;
  token: string;
  receipt: string;
}

/** The scripts as ioredis exposes them once defined: `[...keys, ...argv]`. */
interface LockCommands {
  octoLockAcquire(
    lockKey: string,
    tokenKey: string,
    receiptKey: string,
    owner: string,
    periodMs: number,
  ): Reply;
  octoLockRelease(
    lockKey: string,
    tokenKey: string,
    receiptKey: string,
    owner: string,
    token: string,
    receiptMs: number,
  ): Reply;
  octoLockExtend(lockKey: string, tokenKey: string, owner: string, periodMs: number, token: string): Reply;
}

/**
 * How long a release's receipt answers a re-sent release (see release.lua). ioredis re-sends a
 * command once it has reconnected; ten minutes covers any reconnect a caller would still wait
 * for. The receipts are one zset per group, holding at most the latest 1000 releases' receipts.
 */
export const RELEASE_RECEIPT_MS = 10 * 60_000;

const LOCK_SCRIPTS = {
  octoLockAcquire: { numberOfKeys: 3, lua: acquireScript },
  octoLockRelease: { numberOfKeys: 3, lua: releaseScript },
  octoLockExtend: { numberOfKeys: 2, lua: extendScript },
};

/**
 * The lock scripts on a client, defined the first time it is used (see defineScripts), so each
 * runs as EVALSHA from then on (ioredis falls back to EVAL once if the server lost its script
 * cache, e.g. on restart).
 */
function lockCommands(redis: Redis | Cluster): LockCommands {
  return defineScripts(redis, LOCK_SCRIPTS) as unknown as LockCommands;
}

/**
 * Every key carries the group as a hash tag, so on Redis Cluster they sit in one slot and one
 * script may touch them all.
 */
export function lockKeys(prefix: string, group: string): LockKeys {
  const lock = `${prefix}:lock:{${group}}`;
  return { lock, token: `${lock}:token`, receipt: `${lock}:receipts` };
}

/** The three lock operations on one group, with the keys and argument order in one place. */
export interface GroupScripts {
  /** The holder's token (a new one, or the one `owner` already holds), or 0 when held by another. */
  acquire(owner: string, periodMs: number): Promise<number>;
  /** `token` is the fenced acquire's token, or `""` to release whatever `owner` holds. */
  release(owner: string, token: string): Promise<boolean>;
  extend(owner: string, periodMs: number, token: string): Promise<boolean>;
}

export function groupScripts(redis: Redis | Cluster, prefix: string, group: string): GroupScripts {
  const commands = lockCommands(redis);
  const keys = lockKeys(prefix, group);
  return {
    acquire: async (owner, periodMs) =>
      Number(await commands.octoLockAcquire(keys.lock, keys.token, keys.receipt, owner, periodMs)),
    release: async (owner, token) =>
      (await commands.octoLockRelease(
        keys.lock,
        keys.token,
        keys.receipt,
        owner,
        token,
        RELEASE_RECEIPT_MS,
      )) === 1,
    extend: async (owner, periodMs, token) =>
      (await commands.octoLockExtend(keys.lock, keys.token, owner, periodMs, token)) === 1,
  };
}
