import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/** A Redis the example can use, and how to let go of it on exit. */
export interface FoundRedis {
  url: string;
  /** Where it came from, for the start-up log line. */
  source: "REDIS_URL" | "localhost" | "private redis-server";
  /** Stops the private server when this process started one; otherwise does nothing. */
  stop(): Promise<void>;
}

/** Thrown when no Redis answers and none can be started; the message says how to get one. */
export class NoRedisError extends Error {
  readonly code = "ERR_OCTO_EXAMPLE_NO_REDIS";
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port")),
      );
    });
  });
}

async function startPrivateServer(): Promise<FoundRedis> {
  const port = await freePort();
  // No persistence: the demo's data is worth nothing once the demo stops.
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let i = 0; i < 50; i++) {
    if (await answers(url)) {
      return {
        url,
        source: "private redis-server",
        async stop() {
          child.kill("SIGTERM");
          await exited;
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new NoRedisError(`started redis-server on port ${port} but it never answered PING`);
}

/**
 * `REDIS_URL` when set (and it must answer); else 127.0.0.1:6379; else a private `redis-server`
 * from PATH on a free port; else a `NoRedisError` saying how to install Redis.
 */
export async function findRedis(): Promise<FoundRedis> {
  const none = async () => {};
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    if (await answers(fromEnv)) return { url: fromEnv, source: "REDIS_URL", stop: none };
    throw new NoRedisError(`REDIS_URL is set to ${fromEnv} but nothing answers there`);
  }
  const local = "redis://127.0.0.1:6379";
  if (await answers(local)) return { url: local, source: "localhost", stop: none };
  if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0) {
    return startPrivateServer();
  }
  throw new NoRedisError(
    [
      "No Redis answers at 127.0.0.1:6379 and redis-server is not on PATH.",
      "Get one of:",
      "  Debian/Ubuntu:  sudo apt-get install redis-server",
      "  macOS:          brew install redis",
      "  Docker:         docker run -p 6379:6379 redis:7",
      "or point REDIS_URL at a Redis you have (REDIS_URL=redis://host:6379 pnpm example).",
    ].join("\n"),
  );
}
