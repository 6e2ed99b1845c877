import { hasRedisServerBinary, startRedis, startRedisCluster, startTcpProxy } from "@octo/testing";
import { Redis } from "ioredis";
import { describe, expect, test } from "vitest";

// A machine without redis-server cannot run the fault scenarios; that must show as a failure.
test("redis-server is on PATH (the fault scenarios need it)", () => {
  expect(
    hasRedisServerBinary(),
    "redis-server is not on PATH: install it (apt-get install redis-server) to run the chaos suite",
  ).toBe(true);
});

describe("startRedisCluster", () => {
  test("keys with different hash tags land on different masters of a 3-master cluster", async () => {
    const cluster = await startRedisCluster({ masters: 3 });
    try {
      const client = cluster.client();
      const keys = Array.from({ length: 30 }, (_, i) => `chaos:{k${i}}`);
      for (const key of keys) await client.set(key, "1");
      const perNode: number[] = [];
      for (const node of cluster.nodes) {
        const raw = new Redis(node.port, "127.0.0.1", { lazyConnect: true });
        await raw.connect();
        perNode.push(await raw.dbsize());
        raw.disconnect();
      }
      expect(perNode.reduce((a, b) => a + b, 0)).toBe(keys.length);
      expect(perNode.filter((n) => n > 0).length).toBe(3);
    } finally {
      await cluster.stop();
    }
  });
});

describe("startTcpProxy", () => {
  test("a dropped connection makes ioredis reconnect through the proxy and keep working", async () => {
    const redis = await startRedis();
    const proxy = await startTcpProxy(redis.port);
    const client = new Redis({
      port: proxy.port,
      host: "127.0.0.1",
      db: redis.db,
      maxRetriesPerRequest: null,
    });
    client.on("error", () => {});
    try {
      await client.set("chaos:proxy", "before");
      expect(proxy.accepted).toBe(1);
      proxy.dropAll();
      await client.set("chaos:proxy", "after");
      expect(await client.get("chaos:proxy")).toBe("after");
      expect(proxy.accepted).toBe(2);
    } finally {
      client.disconnect();
      await proxy.close();
      await redis.stop();
    }
  });

  test("a paused proxy refuses connections until resumed", async () => {
    const redis = await startRedis();
    const proxy = await startTcpProxy(redis.port);
    const client = new Redis({
      port: proxy.port,
      host: "127.0.0.1",
      db: redis.db,
      maxRetriesPerRequest: null,
      retryStrategy: () => 50,
    });
    client.on("error", () => {});
    try {
      await client.ping();
      proxy.pause();
      proxy.dropAll();
      const pending = client.set("chaos:paused", "1");
      await new Promise((r) => setTimeout(r, 300));
      const raw = redis.client();
      expect(await raw.get("chaos:paused")).toBeNull();
      proxy.resume();
      await pending;
      expect(await raw.get("chaos:paused")).toBe("1");
    } finally {
      client.disconnect();
      await proxy.close();
      await redis.stop();
    }
  });
});
