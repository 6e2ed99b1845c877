import { RedisServerProcess } from "@octo/testing";
import { Redis } from "ioredis";

/** The Redis every scenario shares: REDIS_URL, or a redis-server this run starts and stops. */
export interface BenchRedis {
  url: string;
  host: string;
  port: number;
  db: number;
  source: string;
  client(): Redis;
  flush(): Promise<void>;
  version(): Promise<string>;
  usedMemory(): Promise<number>;
  stop(): Promise<void>;
}

export async function openRedis(): Promise<BenchRedis> {
  let server: RedisServerProcess | undefined;
  let url = process.env.REDIS_URL;
  let source = "REDIS_URL";
  if (!url) {
    // No persistence: snapshots forking mid-run would measure the disk, not the client.
    server = await RedisServerProcess.start({ args: ["--save", "", "--appendonly", "no"] });
    url = `redis://127.0.0.1:${server.port}`;
    source = `redis-server started by the benchmark on port ${server.port}`;
  }
  const parsed = new URL(url);
  const clients: Redis[] = [];
  const admin = new Redis(url, { lazyConnect: false });
  clients.push(admin);
  return {
    url,
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    db: Number(parsed.pathname.slice(1) || 0),
    source,
    client() {
      const client = new Redis(url as string, { maxRetriesPerRequest: null });
      clients.push(client);
      return client;
    },
    async flush() {
      await admin.flushall();
    },
    async version() {
      const info = await admin.info("server");
      return /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
    },
    async usedMemory() {
      const info = await admin.info("memory");
      return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
    },
    async stop() {
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
      await server?.stop();
    },
  };
}
