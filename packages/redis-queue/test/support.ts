import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  type StartRedisOptions,
  startRedis,
  startTcpProxy,
  type TcpProxy,
  type TestRedis,
} from "@octo/testing";
import { type Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { expandLuaIncludes } from "../build/lua-includes";

/**
 * Gives the test file its own Redis (see @octo/testing's startRedis) and empties it before each
 * test. Read `server` and `redis` inside tests and hooks, once `beforeAll` has run.
 */
export function useRedis(options?: StartRedisOptions): { readonly server: TestRedis; readonly redis: Redis } {
  const state = {} as { server: TestRedis; redis: Redis };
  beforeAll(async () => {
    state.server = await startRedis(options);
    state.redis = state.server.client();
  });
  afterAll(async () => {
    await state.server?.stop();
  });
  beforeEach(async () => {
    await state.redis.flushdb();
  });
  return state;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Key `part` of queue `name` under the default prefix (see the README's "Data in Redis"). */
export const queueKey = (name: string, part: string) => `octo:q:{${name}}:${part}`;

/** The token of the take that holds item `id`'s lease (without the running mark), or null. */
async function holder(redis: Redis, name: string, id: string): Promise<string | null> {
  const held = await redis.hget(queueKey(name, "lease"), id);
  return held ? held.replace(/^\+/, "") : null;
}

/** Item `id`'s lease deadline in Redis ms: its take's score (NaN when no take holds it). */
export async function leaseDeadline(redis: Redis, name: string, id: string): Promise<number> {
  const token = await holder(redis, name, id);
  return token ? Number(await redis.zscore(queueKey(name, "takes"), token)) : Number.NaN;
}

/** Makes item `id`'s lease, and so its whole take's, run out now, as if its worker had hung. */
export async function expireLease(redis: Redis, name: string, id: string): Promise<void> {
  const token = await holder(redis, name, id);
  if (!token) throw new Error(`item ${id} of queue ${name} is not leased`);
  await redis.zadd(queueKey(name, "takes"), "XX", 1, token);
}

/** The id of a pending entry: "<id> <stored value>", or "<id>" alone (see take.lua). */
export const entryId = (entry: string) => entry.split(" ", 1)[0] as string;

/** The ids a take answered (its entries, see take.lua). */
export function takenIds(entries: string | string[]): string[] {
  if (entries === "") return [];
  return (typeof entries === "string" ? entries.split("\0") : entries).map(entryId);
}

/** The ids in pending, head first. */
export async function pendingIds(redis: Redis, name: string): Promise<string[]> {
  return (await redis.lrange(queueKey(name, "pending"), 0, -1)).map(entryId);
}

/** The stored values ("attempts|first failure|payload") of the items in pending, head first. */
export async function pendingValues(redis: Redis, name: string): Promise<(string | null)[]> {
  const values: (string | null)[] = [];
  for (const entry of await redis.lrange(queueKey(name, "pending"), 0, -1)) {
    const cut = entry.indexOf(" ");
    values.push(cut < 0 ? await redis.hget(queueKey(name, "items"), entry) : entry.slice(cut + 1));
  }
  return values;
}

/** The ids and stored values ("attempts|first failure|payload") a take's record holds. */
export function recordEntries(record: string | null): [string, string | null][] {
  if (!record) return [];
  const entries: string[] = record.startsWith("[") ? JSON.parse(record) : record.split("\0");
  return entries.map((entry) => {
    const cut = entry.indexOf(" ");
    return cut < 0 ? [entry, null] : [entry.slice(0, cut), entry.slice(cut + 1)];
  });
}

/**
 * Item `id`'s stored value wherever it is: in items, in its pending entry, or in the record of
 * the take that holds it; null when none has it.
 */
export async function storedValue(redis: Redis, name: string, id: string): Promise<string | null> {
  const kept = await redis.hget(queueKey(name, "items"), id);
  if (kept !== null) return kept;
  for (const entry of await redis.lrange(queueKey(name, "pending"), 0, -1)) {
    if (entry.startsWith(`${id} `)) return entry.slice(id.length + 1);
  }
  const token = await holder(redis, name, id);
  if (!token) return null;
  const found = recordEntries(await redis.hget(queueKey(name, "taken"), token)).find(
    ([entry]) => entry === id,
  );
  return found?.[1] ?? null;
}

/** Rewrites pending item `id`'s stored value where it is kept: in items, or in its pending entry. */
export async function setStoredValue(redis: Redis, name: string, id: string, value: string): Promise<void> {
  if ((await redis.hexists(queueKey(name, "items"), id)) === 1) {
    await redis.hset(queueKey(name, "items"), id, value);
    return;
  }
  const entries = await redis.lrange(queueKey(name, "pending"), 0, -1);
  const index = entries.findIndex((entry) => entry.startsWith(`${id} `));
  if (index < 0) throw new Error(`item ${id} of queue ${name} is not pending`);
  await redis.lset(queueKey(name, "pending"), index, `${id} ${value}`);
}

/**
 * Takes `ids` out of pending and leaves them in a take under `token` whose lease ran out, as a
 * worker that died would have: `running` marks the items as started (their expiry is then a
 * stall). The take's record keeps their values, as take.lua's does.
 */
export async function leaveDeadTake(
  redis: Redis,
  name: string,
  token: string,
  ids: string[],
  running: boolean,
) {
  const entries: string[] = [];
  for (const id of ids) {
    const value = await storedValue(redis, name, id);
    await redis.lrem(queueKey(name, "pending"), 1, value === null ? id : `${id} ${value}`);
    await redis.lrem(queueKey(name, "pending"), 1, id);
    entries.push(value === null ? id : `${id} ${value}`);
  }
  const lease = ids.flatMap((id) => [id, running ? `+${token}` : token]);
  await redis.hset(queueKey(name, "lease"), ...lease);
  await redis.hset(queueKey(name, "taken"), token, entries.join("\0"), `${token}#`, ids.length);
  await redis.hincrby(queueKey(name, "taken"), "#", ids.length);
  await redis.zadd(queueKey(name, "takes"), 0, token);
}

/** The ids in flight: those a live take still holds. */
export async function inFlightIds(redis: Redis, name: string): Promise<string[]> {
  const tokens = await redis.zrange(queueKey(name, "takes"), "0", "-1");
  const ids: string[] = [];
  for (const token of tokens) {
    const taken = recordEntries(await redis.hget(queueKey(name, "taken"), token));
    for (const [id] of taken) if ((await holder(redis, name, id)) === token) ids.push(id);
  }
  return ids;
}

/**
 * Whether a raw request (as a proxy sees it) runs one of the queue's scripts: ioredis sends EVAL
 * with the script's text the first time a connection runs it, EVALSHA with its SHA1 after that;
 * it keeps each defined command's script in `scriptsSet`.
 */
export function runsScript(client: Redis | Cluster, command: string): (request: string) => boolean {
  // Defined under the name followed by a hash of the text (see defineScripts in @octo/internal).
  const scripts = (client as unknown as { scriptsSet?: Record<string, { sha?: string; lua?: string }> })
    .scriptsSet;
  const script = Object.entries(scripts ?? {}).find(([name]) => name.startsWith(`${command}_`))?.[1];
  if (!script?.sha || !script.lua) throw new Error(`no script ${command} defined on this client`);
  const { sha, lua } = script;
  const opening = lua.slice(0, 200);
  return (request) => request.includes(sha) || request.includes(opening);
}

/**
 * A TCP proxy in front of the file's Redis (`useRedis`) for the lost-reply tests, and clients
 * through it: ioredis re-sends what lost its reply once it has reconnected. Read `proxy` inside
 * tests and hooks; the clients and the proxy are closed after the file (or the describe block).
 */
export function useProxy(env: { readonly server: TestRedis }): {
  readonly proxy: TcpProxy;
  throughProxy(): Redis;
} {
  const state = {} as { proxy: TcpProxy };
  const clients: Redis[] = [];
  beforeAll(async () => {
    state.proxy = await startTcpProxy(env.server.port);
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await state.proxy?.close();
  });
  return {
    get proxy() {
      return state.proxy;
    },
    throughProxy() {
      const client = new Redis({ port: state.proxy.port, db: env.server.db, maxRetriesPerRequest: null });
      client.on("error", () => {});
      clients.push(client);
      return client;
    },
  };
}

/**
 * Whether a raw request runs the script in `src/<name>.lua` (its includes expanded, as the build
 * does) on a key containing `key`: ioredis sends EVAL with the text the first time a client uses
 * a script, EVALSHA with its SHA1 after that.
 */
export function runsScriptFile(name: string, key: string): (request: string) => boolean {
  const text = expandLuaIncludes(fileURLToPath(new URL(`../src/${name}.lua`, import.meta.url)));
  const sha = createHash("sha1").update(text).digest("hex");
  return (request) => (request.includes(sha) || request.includes(text)) && request.includes(key);
}
