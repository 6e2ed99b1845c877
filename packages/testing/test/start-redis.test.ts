import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { afterEach, describe, expect, test } from "vitest";
import {
  RedisServerProcess,
  reapOrphanedServers,
  startNodeProcess,
  startRedis,
  type TestRedis,
  waitUntil,
} from "../src/index";

const started: TestRedis[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((redis) => redis.stop()));
});

async function dedicated(options: Parameters<typeof startRedis>[0] = {}): Promise<TestRedis> {
  const redis = await startRedis({ dedicated: true, ...options });
  started.push(redis);
  return redis;
}

/** Alive and not a zombie waiting for a parent that was itself killed to be reaped. */
function processAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("startRedis", () => {
  test("a spawned server answers on its own port", async () => {
    const redis = await dedicated();
    expect(redis.source).toBe("redis-server");
    const client = redis.client();
    await client.set("k", "v");
    expect(await client.get("k")).toBe("v");
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}/0`);
  });

  test("two test Redis never see each other's keys", async () => {
    const a = await startRedis();
    const b = await startRedis();
    started.push(a, b);
    await a.client().set("shared-name", "a");
    expect(await b.client().get("shared-name")).toBeNull();
  });

  test("restart() keeps data written with appendOnly", async () => {
    const redis = await dedicated({ appendOnly: true });
    const client = redis.client();
    await client.set("survives", "yes");
    await redis.restart();
    expect(await client.get("survives")).toBe("yes");
  });

  test("kill() makes clients see a closed connection, startAgain() brings the port back", async () => {
    const redis = await dedicated();
    const client = redis.client({ maxRetriesPerRequest: 0 });
    await client.ping();
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    await redis.kill();
    await closed;
    await expect(client.ping()).rejects.toThrow();
    await redis.startAgain();
    const fresh = redis.client();
    expect(await fresh.ping()).toBe("PONG");
  });

  test("stop() leaves no redis-server running", async () => {
    const server = await RedisServerProcess.start();
    const pid = server.pid!;
    expect(processAlive(pid)).toBe(true);
    await server.stop();
    expect(processAlive(pid)).toBe(false);
  });

  test("a server whose test process was SIGKILLed is reaped; servers of live processes are left alone", async () => {
    const mine = await RedisServerProcess.start();
    const child = startNodeProcess(new URL("./fixtures/spawn-and-hang.ts", import.meta.url).pathname);
    try {
      const line = await child.waitFor(/^pid=\d+/);
      const pid = Number(line.slice(4));
      expect(processAlive(pid)).toBe(true);
      await child.kill("SIGKILL");
      // The fixture shares this run's registry, so the reaper finds its server by its dead owner;
      // this process is alive, so its server (and any other test file's) is not touched.
      expect(await reapOrphanedServers({ ownerGone: true })).toBeGreaterThanOrEqual(1);
      await waitUntil("the orphaned redis-server to exit", () => !processAlive(pid), 10_000);
      expect(processAlive(mine.pid!)).toBe(true);
      const client = new Redis(mine.port, "127.0.0.1");
      try {
        expect(await client.ping()).toBe("PONG");
      } finally {
        client.disconnect();
      }
    } finally {
      await child.kill("SIGKILL");
      await mine.stop();
    }
  });

  test("with REDIS_URL, each caller gets its own database and frees it on stop", async () => {
    const server = await dedicated();
    const previous = process.env.REDIS_URL;
    process.env.REDIS_URL = server.url;
    try {
      const a = await startRedis();
      const b = await startRedis();
      expect([a.source, b.source]).toEqual(["REDIS_URL", "REDIS_URL"]);
      expect(a.db).not.toBe(b.db);
      await a.client().set("shared-name", "a");
      expect(await b.client().get("shared-name")).toBeNull();
      await expect(a.kill()).rejects.toThrow(/dedicated: true/);
      await a.stop();
      await b.stop();
      const admin = server.client();
      expect(await admin.keys("octo-test:database:*")).toEqual([]);
      await admin.select(a.db);
      expect(await admin.dbsize()).toBe(0);
    } finally {
      if (previous === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = previous;
    }
  });

  test("with no Redis to be had, the error says how to get one", async () => {
    const child = startNodeProcess(new URL("./fixtures/start-without-redis.ts", import.meta.url).pathname, {
      env: { PATH: "/nonexistent", REDIS_URL: undefined },
    });
    const line = await child.waitFor(/^(error|started)/);
    expect(line).toMatch(/^error: No Redis for the tests: set REDIS_URL .*apt-get install redis-server/);
    expect(await child.exited).toBe(0);
  });
});
