import { RedisQueue } from "@octo/redis-queue";
import { type NodeProcess, startNodeProcess, startRedis, type TestRedis } from "@octo/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { fixture, processedCounts, sleep, summary, waitUntil } from "./support";

const ITEMS = 5000;
const QUEUE = "chaos-restarts";

let redis: TestRedis;
beforeAll(async () => {
  // appendfsync always: every write Redis acknowledged survives a SIGKILL.
  redis = await startRedis({ dedicated: true, appendOnly: true, appendFsync: "always" });
});
afterAll(async () => {
  await redis?.stop();
});

test("Redis restarts: SIGTERM, then SIGKILL, while queue workers run and runners schedule: clients reconnect, no item lost, no tick twice", async () => {
  const client = redis.client();
  const queue = new RedisQueue<{ id: number }>(QUEUE, client, {
    retries: 3,
    timeout: "500ms",
    leaseTime: "2s",
  });
  const ids = Array.from({ length: ITEMS }, (_, i) => i);
  expect(await queue.fill(ids.map((id) => ({ id })))).toBe(true);
  const procs: NodeProcess[] = [
    ...[0, 1].map((n) =>
      startNodeProcess(fixture("queue-worker.ts"), { args: [redis.url, QUEUE, `w${n}`, "10", "20"] }),
    ),
    ...[0, 1].map((n) => startNodeProcess(fixture("runner-process.ts"), { args: [redis.url, `r${n}`] })),
  ];
  try {
    await Promise.all(procs.map((p) => p.waitFor(/ready|started/)));
    await sleep(2000);
    await redis.restart(); // SIGTERM, then up again on the same port
    await sleep(3000);
    await redis.kill(); // SIGKILL: nothing flushed but what appendfsync always already wrote
    await sleep(1000);
    await redis.startAgain();
    await sleep(3000);

    const workers = procs.slice(0, 2);
    await waitUntil(
      "the queue to drain after the restarts",
      async () => {
        const stats = await queue.stats();
        if (stats.pending + stats.inFlight + stats.delayed === 0) return true;
        // A worker whose work() resolved while Redis was away is replaced, as a deployment would.
        for (let i = 0; i < workers.length; i++) {
          const w = workers[i];
          if (w && w.child.exitCode !== null) {
            workers[i] = startNodeProcess(fixture("queue-worker.ts"), {
              args: [redis.url, QUEUE, `w${i}b`, "10", "20"],
            });
            procs.push(workers[i] as NodeProcess);
          }
        }
        return false;
      },
      90_000,
    );
    const { lost, duplicates } = await processedCounts(client, `chaos:{${QUEUE}}:count`, ids.map(String));
    const ticks = await client.hgetall("chaos:{ticks}");
    const twice = Object.entries(ticks).filter(([, n]) => Number(n) > 1);
    const stats = await queue.stats();
    summary("redis-restarts", {
      items: ITEMS,
      restarts: 2,
      lost: lost.length,
      duplicates: duplicates.length,
      dead: stats.dead,
      ticks: Object.keys(ticks).length,
      "double-runs": twice.length,
    });
    expect(lost).toEqual([]);
    expect(stats.dead).toBe(0);
    expect(twice).toEqual([]);
    // The runners kept scheduling after both restarts.
    const lastTick = Math.max(...Object.keys(ticks).map(Number));
    expect(Date.now() - lastTick).toBeLessThan(5000);
  } finally {
    await Promise.all(procs.map((p) => p.kill("SIGKILL")));
  }
}, 180_000);
