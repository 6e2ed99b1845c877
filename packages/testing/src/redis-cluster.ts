import { spawn } from "node:child_process";
import { join } from "node:path";
import { Cluster } from "ioredis";
import { hasRedisServerBinary, RedisServerProcess } from "./redis-server";

export interface RedisClusterOptions {
  /** How many master nodes to start (Redis Cluster needs at least 3). */
  masters?: number;
  /** How long to wait for `cluster_state:ok`, in milliseconds. */
  readyTimeoutMs?: number;
}

/** A Redis Cluster a test owns: masters on loopback ports, no replicas. */
export interface TestRedisCluster {
  readonly nodes: readonly RedisServerProcess[];
  /** `{ host, port }` of every node, as ioredis `Cluster` takes them. */
  readonly startupNodes: ReadonlyArray<{ host: string; port: number }>;
  /** A new ioredis `Cluster` client; every client made here is closed by `stop()`. */
  client(): Cluster;
  /** Closes the clients, stops every node and removes its files. */
  stop(): Promise<void>;
}

function runRedisCli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("redis-cli", args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, output }));
  });
}

async function clusterStateOk(port: number): Promise<boolean> {
  const { code, output } = await runRedisCli(["-p", String(port), "cluster", "info"]);
  return code === 0 && /cluster_state:ok/.test(output);
}

/**
 * Starts a Redis Cluster of `masters` nodes (`redis-server --cluster-enabled yes`), joins them
 * with `redis-cli --cluster create` and resolves once every node reports `cluster_state:ok`.
 * Fails with a clear message when `redis-server` is not on PATH: a cluster test must never pass
 * by not running.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<TestRedisCluster> {
  const masters = options.masters ?? 3;
  if (masters < 3) throw new Error(`startRedisCluster needs at least 3 masters, got ${masters}`);
  if (!hasRedisServerBinary()) {
    throw new Error(
      "Redis Cluster tests need redis-server and redis-cli on PATH (Debian/Ubuntu: apt-get install redis-server).",
    );
  }
  const nodes: RedisServerProcess[] = [];
  const clients = new Set<Cluster>();
  const stop = async () => {
    await Promise.all([...clients].map((c) => c.quit().catch(() => c.disconnect())));
    clients.clear();
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let i = 0; i < masters; i++) {
      // The config file must live in the node's own directory: each node writes its own.
      nodes.push(
        await RedisServerProcess.start({
          args: [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "5000",
          ],
        }),
      );
    }
    const created = await runRedisCli([
      "--cluster",
      "create",
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    if (created.code !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.output}`);
    const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
    for (const node of nodes) {
      while (!(await clusterStateOk(node.port))) {
        if (Date.now() > deadline) {
          throw new Error(
            `cluster node 127.0.0.1:${node.port} did not reach cluster_state:ok (files in ${join(node.dir)})`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const startupNodes = nodes.map((node) => ({ host: "127.0.0.1", port: node.port }));
  return {
    nodes,
    startupNodes,
    client() {
      const client = new Cluster(startupNodes, { redisOptions: { maxRetriesPerRequest: null } });
      // Tests kill nodes on purpose; failures surface through the commands that hit them.
      client.on("error", () => {});
      clients.add(client);
      client.once("end", () => clients.delete(client));
      return client;
    },
    stop,
  };
}
