import { startRedis, type TestRedis } from "@octo/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach } from "vitest";

/**
 * Gives the test file its own Redis (see @octo/testing's startRedis) and empties it before each
 * test. Read `server` and `redis` inside tests and hooks, once `beforeAll` has run.
 */
export function useRedis(): { readonly server: TestRedis; readonly redis: Redis } {
  const state = {} as { server: TestRedis; redis: Redis };
  beforeAll(async () => {
    state.server = await startRedis();
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
