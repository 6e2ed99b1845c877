import "reflect-metadata";
import { acquireFencedLock, acquireLock, releaseLock, withLock } from "@octo/redis-lock";
import { RedisQueue } from "@octo/redis-queue";
import { cron, type JobContext, JobRunner, job, query } from "@octo/runner";
import { type NodeProcess, startNodeProcess, startRedisCluster, type TestRedisCluster } from "@octo/testing";
import { Container } from "inversify";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fixture, processedCounts, sleep, summary } from "./support";

let cluster: TestRedisCluster;
let target: string;
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  target = `cluster:${cluster.startupNodes.map((n) => `${n.host}:${n.port}`).join(",")}`;
});
afterAll(async () => {
  await cluster?.stop();
});

/** Every key on every master, with the node it lives on. */
async function keysByNode(pattern: string): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  for (const node of cluster.nodes) {
    const raw = new Redis(node.port, "127.0.0.1");
    found.set(node.port, await raw.keys(pattern));
    raw.disconnect();
  }
  return found;
}

const QUERY_ITEMS = 300;
/** Instance ids that handled each item of the query job below. */
const handledBy = new Map<number, string[]>();

@cron("cluster-query")
class ClusterQueryJobs {
  @query("items")
  async items() {
    return Array.from({ length: QUERY_ITEMS }, (_, i) => i);
  }

  // Never due during the test: run() fills the queue.
  @job("items", "0 0 1 1 *", { parallelism: 4 })
  async handle(item: number, ctx: JobContext) {
    handledBy.set(item, [...(handledBy.get(item) ?? []), ctx.instanceId]);
    await sleep(2);
  }
}
void ClusterQueryJobs;

describe("Redis Cluster", () => {
  test("lock: acquire, fence, extend and withLock on many groups through a Cluster client, keys spread over the masters", async () => {
    const client = cluster.client();
    const groups = Array.from({ length: 12 }, (_, i) => `cluster-lock-${i}`);
    for (const group of groups) {
      expect(await acquireLock(client, group, "a", "30s")).toBe(true);
      expect(await acquireLock(client, group, "b", "30s")).toBe(false);
      expect(await releaseLock(client, group, "a")).toBe(true);
      const fenced = await acquireFencedLock(client, group, "c", "30s");
      expect(fenced?.token).toBeGreaterThan(0);
      const outcome = await withLock(client, `${group}-with`, async () => "ran", { period: "5s" });
      expect(outcome).toMatchObject({ acquired: true, result: "ran" });
    }
    const keys = await keysByNode("octo:lock:*");
    const nodesUsed = [...keys.values()].filter((k) => k.length > 0).length;
    const slots = new Set<number>();
    for (const list of keys.values())
      for (const key of list) slots.add(Number(await client.cluster("KEYSLOT", key)));
    summary("cluster-lock", { groups: groups.length, slots: slots.size, nodes: nodesUsed });
    expect(nodesUsed).toBeGreaterThan(1);
  });

  test("queue: 3 queues worked by 2 worker processes each through Cluster clients: every item once or more, none lost, no CROSSSLOT", async () => {
    const client = cluster.client();
    const names = ["cluster-q-a", "cluster-q-b", "cluster-q-c"];
    const ITEMS = 1000;
    const ids = Array.from({ length: ITEMS }, (_, i) => i);
    const procs: NodeProcess[] = [];
    try {
      for (const name of names) {
        const queue = new RedisQueue<{ id: number }>(name, client, { leaseTime: "2s" });
        expect(await queue.fill(ids.map((id) => ({ id })))).toBe(true);
        for (const n of [0, 1]) {
          procs.push(
            startNodeProcess(fixture("queue-worker.ts"), { args: [target, name, `w${n}`, "10", "0"] }),
          );
        }
      }
      const results = await Promise.all(procs.map((p) => p.exited));
      const output = procs.map((p) => p.output()).join("\n");
      expect(output).not.toMatch(/CROSSSLOT/);
      expect(results).toEqual(procs.map(() => 0));
      let lost = 0;
      let duplicates = 0;
      for (const name of names) {
        const counts = await processedCounts(client, `chaos:{${name}}:count`, ids.map(String));
        lost += counts.lost.length;
        duplicates += counts.duplicates.length;
        const stats = await new RedisQueue(name, client).stats();
        expect(stats).toEqual({ pending: 0, inFlight: 0, delayed: 0, dead: 0, oldestPendingAgeMs: null });
      }
      const slots = new Set(
        await Promise.all(names.map((n) => client.cluster("KEYSLOT", `octo:q:{${n}}:pending`))),
      );
      const nodesUsed = [...(await keysByNode("octo:q:*")).values()].filter((k) => k.length > 0).length;
      summary("cluster-queue", {
        queues: names.length,
        items: ITEMS * names.length,
        lost,
        duplicates,
        slots: slots.size,
        nodes: nodesUsed,
      });
      expect(lost).toBe(0);
      expect(slots.size).toBe(names.length);
    } finally {
      await Promise.all(procs.map((p) => p.kill("SIGKILL")));
    }
  }, 120_000);

  test("runner: 2 runner processes through Cluster clients for 6 s: every-second job, no tick twice, no CROSSSLOT", async () => {
    const client = cluster.client();
    const procs = [0, 1].map((n) =>
      startNodeProcess(fixture("runner-process.ts"), { args: [target, `c${n}`] }),
    );
    try {
      await Promise.all(procs.map((p) => p.waitFor(/started/)));
      await sleep(6000);
      await Promise.all(procs.map((p) => p.kill("SIGTERM")));
      const output = procs.map((p) => p.output()).join("\n");
      const ticks = await client.hgetall("chaos:{ticks}");
      const twice = Object.entries(ticks).filter(([, n]) => Number(n) > 1);
      const runnerKeys = [...(await keysByNode("octo:*")).values()]
        .flat()
        .filter((k) => !k.startsWith("octo:q:") && !k.startsWith("octo:lock:{cluster-lock"));
      const slots = new Set(await Promise.all(runnerKeys.map((k) => client.cluster("KEYSLOT", k))));
      summary("cluster-runner", {
        ticks: Object.keys(ticks).length,
        "double-runs": twice.length,
        keys: runnerKeys.length,
        slots: slots.size,
      });
      expect(output).not.toMatch(/CROSSSLOT/);
      expect(Object.keys(ticks).length).toBeGreaterThanOrEqual(4);
      expect(twice).toEqual([]);
    } finally {
      await Promise.all(procs.map((p) => p.kill("SIGKILL")));
    }
  }, 60_000);

  test("runner: a query job through Cluster clients on 2 instances: its lock, fill key, queue and wake-ups work, each item once, both instances take part", async () => {
    const runners = ["cq-a", "cq-b"].map((instanceId) => new JobRunner(new Container(), { instanceId }));
    try {
      for (const runner of runners) await runner.start(cluster.client());
      const result = await (runners[0] as JobRunner).run("cluster-query.items");
      expect(result.outcome).toBe("succeeded");
      const counts = [...handledBy.values()].map((list) => list.length);
      const instances = new Set([...handledBy.values()].flat());
      const keys = [...(await keysByNode("octo:*{cluster-query.items}*")).values()].flat();
      summary("cluster-query", {
        items: QUERY_ITEMS,
        handled: handledBy.size,
        duplicates: counts.filter((n) => n > 1).length,
        instances: instances.size,
        keys: keys.length,
      });
      expect(handledBy.size).toBe(QUERY_ITEMS);
      expect(counts.filter((n) => n > 1)).toEqual([]);
      expect(instances).toEqual(new Set(["cq-a", "cq-b"]));
      const stats = await new RedisQueue("cluster-query.items", cluster.client()).stats();
      expect(stats).toEqual({ pending: 0, inFlight: 0, delayed: 0, dead: 0, oldestPendingAgeMs: null });
    } finally {
      for (const runner of runners) await runner.stop();
    }
  }, 60_000);
});
