import { type StartRedisOptions, startRedis, type TestRedis } from "@octo/testing";
import type { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach } from "vitest";

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
  const script = (client as unknown as { scriptsSet?: Record<string, { sha?: string; lua?: string }> })
    .scriptsSet?.[command];
  if (!script?.sha || !script.lua) throw new Error(`no script ${command} defined on this client`);
  const { sha, lua } = script;
  const opening = lua.slice(0, 200);
  return (request) => request.includes(sha) || request.includes(opening);
}
