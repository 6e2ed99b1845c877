import { fileURLToPath } from "node:url";
import { RedisQueue } from "@octo/redis-queue";
import { type NodeProcess, RedisServerProcess, startNodeProcess } from "@octo/testing";
import { Redis } from "ioredis";
import { afterEach, expect, it } from "vitest";

// Redis going away during a slow query, and an instance that cannot build a query job's class,
// are proven with three runner processes in tests/chaos/test/host-survival.test.ts.
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
