import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import { hasRedisServerBinary, type RedisServerOptions, RedisServerProcess } from "./redis-server";

export interface StartRedisOptions extends RedisServerOptions {
  /**
   * The test restarts or kills the server, so it needs one of its own: `REDIS_URL` is not used
   * even when set.
   */
  dedicated?: boolean;
}

/** A Redis that one test file has to itself. */
export interface TestRedis {
  /** `redis://host:port/db` to hand to a client or a child process. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly db: number;
  /** Where it came from: the `REDIS_URL` server, a spawned `redis-server`, or a container. */
  readonly source: "REDIS_URL" | "redis-server" | "testcontainers";
  /** A new client on this Redis; every client made here is closed by `stop()`. */
  client(options?: RedisOptions): Redis;
  /** SIGTERM and start again on the same port; data survives with `appendOnly`. */
  restart(): Promise<void>;
  /** SIGKILL: clients see the connection close. */
  kill(): Promise<void>;
  /** Start again after `kill()`, on the same port. */
  startAgain(): Promise<void>;
  /** Close the clients, stop the server (or free the database), remove its files. */
  stop(): Promise<void>;
}

const NO_REDIS_HELP =
  "No Redis for the tests: set REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379), or put redis-server " +
  "on PATH (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis), or start a Docker " +
  "engine so testcontainers can run the redis:7 image.";

/**
 * Gives the calling test file a Redis no other test file sees: with `REDIS_URL`, a database of
 * its own on that server (claimed atomically, flushed before and after); otherwise a
 * `redis-server` spawned from PATH on a free port; otherwise a testcontainers container.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  const external = process.env.REDIS_URL;
  if (external && !options.dedicated && !options.appendOnly && !options.args) {
    return useExternalDatabase(external);
  }
  if (hasRedisServerBinary()) return useSpawnedServer(options);
  if (dockerAnswers()) return useContainer(options);
  throw new Error(NO_REDIS_HELP);
}

class ClientPool {
  private readonly clients = new Set<Redis>();
  constructor(private readonly url: () => string) {}

  make(options?: RedisOptions): Redis {
    const client = new Redis(this.url(), { maxRetriesPerRequest: null, ...options });
    // Tests kill servers on purpose; a closed connection is reported by the command that hit it.
    client.on("error", () => {});
    this.clients.add(client);
    client.once("end", () => this.clients.delete(client));
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.clients].map((client) => client.quit().catch(() => client.disconnect())));
    this.clients.clear();
  }
}

async function useSpawnedServer(options: RedisServerOptions): Promise<TestRedis> {
  const server = await RedisServerProcess.start(options);
  const url = `redis://127.0.0.1:${server.port}/0`;
  const pool = new ClientPool(() => url);
  return {
    url,
    host: "127.0.0.1",
    port: server.port,
    db: 0,
    source: "redis-server",
    client: (clientOptions) => pool.make(clientOptions),
    restart: () => server.restart(),
    kill: () => server.kill(),
    startAgain: () => server.startAgain(),
    async stop() {
      await pool.closeAll();
      await server.stop();
    },
  };
}

const CLAIM_PREFIX = "octo-test:database:";
const CLAIM_TTL_SECONDS = 3600;
const DATABASES = 16;

/** Claims a free database 1..15 on the shared server with SET NX, so parallel files never meet. */
async function useExternalDatabase(base: string): Promise<TestRedis> {
  const admin = new Redis(base, { db: 0, lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.on("error", () => {});
  try {
    await admin.connect();
  } catch (error) {
    admin.disconnect();
    throw new Error(
      `REDIS_URL=${redactUrl(base)} does not answer (${(error as Error).message}). ${NO_REDIS_HELP}`,
    );
  }
  const token = randomUUID();
  let db = 0;
  const deadline = Date.now() + 60_000;
  while (db === 0) {
    for (let candidate = 1; candidate < DATABASES; candidate++) {
      if ((await admin.set(`${CLAIM_PREFIX}${candidate}`, token, "EX", CLAIM_TTL_SECONDS, "NX")) === "OK") {
        db = candidate;
        break;
      }
    }
    if (db === 0) {
      if (Date.now() > deadline)
        throw new Error(
          `REDIS_URL=${redactUrl(base)}: all ${DATABASES - 1} test databases stayed taken for 60 s`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const parsed = new URL(base);
  parsed.pathname = `/${db}`;
  const url = parsed.toString();
  const pool = new ClientPool(() => url);
  const flusher = pool.make();
  await flusher.flushdb();
  const cannot = (what: string) => async () => {
    throw new Error(
      `${what} needs a Redis the test owns; call startRedis({ dedicated: true }) (REDIS_URL is shared)`,
    );
  };
  return {
    url,
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    db,
    source: "REDIS_URL",
    client: (clientOptions) => pool.make(clientOptions),
    restart: cannot("restart()"),
    kill: cannot("kill()"),
    startAgain: cannot("startAgain()"),
    async stop() {
      await flusher.flushdb().catch(() => {});
      await pool.closeAll();
      // Free the claim only if it is still ours.
      await admin.eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        1,
        `${CLAIM_PREFIX}${db}`,
        token,
      );
      await admin.quit();
    },
  };
}

function dockerAnswers(): boolean {
  return spawnSync("docker", ["info"], { stdio: "ignore", timeout: 5000 }).status === 0;
}

async function useContainer(options: RedisServerOptions): Promise<TestRedis> {
  const { GenericContainer } = await import("testcontainers");
  const command = ["redis-server", "--save", ""];
  if (options.appendOnly)
    command.push("--appendonly", "yes", "--appendfsync", options.appendFsync ?? "always");
  command.push(...(options.args ?? []));
  let container = await new GenericContainer("redis:7").withExposedPorts(6379).withCommand(command).start();
  let port = container.getMappedPort(6379);
  const host = container.getHost();
  const pool = new ClientPool(() => `redis://${host}:${port}/0`);
  return {
    get url() {
      return `redis://${host}:${port}/0`;
    },
    host,
    get port() {
      return port;
    },
    db: 0,
    source: "testcontainers",
    client: (clientOptions) => pool.make(clientOptions),
    async restart() {
      await container.restart();
      port = container.getMappedPort(6379);
    },
    async kill() {
      await container.stop({ timeout: 0 });
    },
    async startAgain() {
      container = await new GenericContainer("redis:7").withExposedPorts(6379).withCommand(command).start();
      port = container.getMappedPort(6379);
    },
    async stop() {
      await pool.closeAll();
      await container.stop({ timeout: 0 });
    },
  };
}

/** `redis://user:secret@host` → `redis://user:***@host`, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, "$1***@");
}
