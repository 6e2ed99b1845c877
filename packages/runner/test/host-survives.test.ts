import { fileURLToPath } from "node:url";
import { RedisQueue } from "@octo/redis-queue";
import { type NodeProcess, RedisServerProcess, startNodeProcess, waitUntil } from "@octo/testing";
import { Redis } from "ioredis";
import { afterEach, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/host-runner.ts", import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function server(): Promise<{ server: RedisServerProcess; url: string; client: Redis }> {
  const s = await RedisServerProcess.start();
  const client = new Redis(s.port, "127.0.0.1", { lazyConnect: false });
  client.on("error", () => {});
  cleanups.push(async () => {
    client.disconnect();
    await s.stop();
  });
  return { server: s, url: `redis://127.0.0.1:${s.port}`, client };
}

function runnerProcess(env: Record<string, string>): NodeProcess {
  const proc = startNodeProcess(fixture, { env });
  cleanups.push(() => proc.kill("SIGKILL"));
  return proc;
}

/** Rejects with the process's output when it exits before `pattern` shows up. */
async function aliveUntil(proc: NodeProcess, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  await Promise.race([
    proc.waitFor(pattern, timeoutMs),
    proc.exited.then((code) => {
      throw new Error(`the runner process exited (${code}) before ${pattern}:\n${proc.output()}`);
    }),
  ]);
}

it("Redis unreachable for 12 s during a slow query: the process stays up and every item is handled once after Redis returns", async () => {
  const { server: redis, url, client } = await server();
  const proc = runnerProcess({
    REDIS_URL: url,
    INSTANCE: "outage",
    QUERY_MS: "20000",
    ITEMS: "20",
    RUN: "host.items",
  });
  await aliveUntil(proc, /^query started/);
  await redis.terminate();
  // The outage itself is the scenario: long enough that ioredis gives up on queued commands.
  await new Promise((r) => setTimeout(r, 12_000));
  await redis.startAgain();
  await aliveUntil(proc, /^run (succeeded|failed)/, 60_000);
  expect(proc.output()).toMatch(/^run succeeded/m);
  const handled = await client.hgetall("host:handled");
  expect(Object.keys(handled)).toHaveLength(20);
  expect(Object.values(handled).every((n) => n === "1")).toBe(true);
  expect(proc.child.exitCode).toBeNull();
}, 120_000);

it("a failover to READONLY while start() resumes a left-over queue: the worker's failure is logged and retried, the process stays up", async () => {
  const { url, client } = await server();
  const { server: empty } = await server();
  const queue = new RedisQueue<string>("host.items", client);
  await queue.fill(Array.from({ length: 400 }, (_, i) => `left-${i}`));
  const proc = runnerProcess({ REDIS_URL: url, INSTANCE: "failover", ITEM_MS: "50" });
  await aliveUntil(proc, /^handled left-/);
  // The server the runner talks to becomes a replica: every write now answers READONLY.
  await client.call("REPLICAOF", "127.0.0.1", String(empty.port));
  await aliveUntil(proc, /queue worker failed/);
  await aliveUntil(proc, /restartInMs":2000/);
  expect(proc.output()).toMatch(/READONLY/);
  await client.call("REPLICAOF", "NO", "ONE");
  expect(proc.child.exitCode).toBeNull();
}, 120_000);

it("an instance that cannot build a query job's class logs it when another instance fills, and keeps running its other jobs", async () => {
  const { url, client } = await server();
  const broken = runnerProcess({ REDIS_URL: url, INSTANCE: "broken", BROKEN: "1" });
  await aliveUntil(broken, /^started/);
  const healthy = runnerProcess({ REDIS_URL: url, INSTANCE: "healthy", ITEMS: "50", RUN: "host.items" });
  await aliveUntil(healthy, /^run succeeded/);
  await aliveUntil(broken, /cannot work the job's queue on this instance/);
  const handled = await client.hgetall("host:handled");
  expect(Object.keys(handled)).toHaveLength(50);
  expect(Object.values(handled).every((n) => n === "1")).toBe(true);
  const ticksThen = Number((await client.hget("other:ticks", "broken")) ?? 0);
  await waitUntil(
    "the broken instance's other job keeps firing",
    async () => Number((await client.hget("other:ticks", "broken")) ?? 0) >= ticksThen + 2,
    15_000,
  );
  expect(broken.child.exitCode).toBeNull();
}, 90_000);

it("a run whose process was SIGKILLed frees its job within the run lease, not maxComputeTime (1 h)", async () => {
  const { url } = await server();
  const crashed = runnerProcess({ REDIS_URL: url, INSTANCE: "crashed", LONG_FOREVER: "1", RUN: "host.long" });
  await aliveUntil(crashed, /^long run started/);
  await crashed.kill("SIGKILL");
  const next = runnerProcess({ REDIS_URL: url, INSTANCE: "next", RUN_UNTIL_SUCCEEDED: "host.long" });
  const line = await next.waitFor(/^took after \d+/, 40_000);
  const took = Number(line.split(" ")[2]);
  // The default run lease is 10 s; under load allow twice that, still far below an hour.
  expect(took).toBeLessThan(20_000);
}, 90_000);
