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
