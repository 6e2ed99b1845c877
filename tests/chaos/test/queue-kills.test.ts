import { RedisQueue } from "@octo/redis-queue";
import { type NodeProcess, startNodeProcess, startRedis, type TestRedis } from "@octo/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { fixture, processedCounts, sleep, summary, waitUntil } from "./support";

const ITEMS = 20_000;
const WORKERS = 4;
const PARALLELISM = 10;
const KILL_PHASE_MS = 20_000;
// Long enough per item that the kills land while the queue is still full.
const ITEM_MS = 25;
const QUEUE = "chaos-kills";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis({ dedicated: true });
});
afterAll(async () => {
  await redis?.stop();
});

test("queue under kills: 20,000 items, a worker SIGKILLed every second: none lost, duplicates bounded by in-flight at the kills, no dead letters", async () => {
  const client = redis.client();
  const queue = new RedisQueue<{ id: number }>(QUEUE, client, {
    retries: 3,
    timeout: "500ms",
    leaseTime: "2s",
  });
  const ids = Array.from({ length: ITEMS }, (_, i) => i);
  expect(await queue.fill(ids.map((id) => ({ id })))).toBe(true);

  let next = 0;
  const alive = new Map<string, NodeProcess>();
  const all: NodeProcess[] = [];
  const spawnWorker = () => {
    const name = `w${next++}`;
    const proc = startNodeProcess(fixture("queue-worker.ts"), {
      args: [redis.url, QUEUE, name, String(PARALLELISM), String(ITEM_MS)],
    });
    alive.set(name, proc);
    all.push(proc);
    void proc.exited.then(() => alive.delete(name));
    return proc;
  };
  try {
    await Promise.all(Array.from({ length: WORKERS }, () => spawnWorker().waitFor(/ready/)));

    let kills = 0;
    let inflightAtKills = 0;
    const processedUnackedAtKills = new Set<string>();
    const started = Date.now();
    while (Date.now() - started < KILL_PHASE_MS) {
      await sleep(1000);
      const names = [...alive.keys()];
      const victim = names[Math.floor(Math.random() * names.length)];
      if (victim === undefined) break;
      const proc = alive.get(victim);
      await proc?.kill("SIGKILL");
      kills++;
      // Right after the kill, before its 2 s lease can run out: what the dead worker took and did
      // not ack is still leased to one of its takes. Of those, the ones it had already processed
      // are exactly the items that can come out twice. The lease hash gives each in-flight id the
      // token of its take; a '!' marks a stalled item back in pending, and the one field that is
      // not an id pins the hash's encoding.
      const leases = await client.hgetall(`octo:q:{${QUEUE}}:lease`);
      const inflight = Object.entries(leases)
        .filter(([id, held]) => held !== "!" && /^\d/.test(id))
        .map(([id]) => id);
      inflightAtKills += inflight.length;
      const processedByVictim = new Set(await client.smembers(`chaos:{${QUEUE}}:by:${victim}`));
      for (const id of inflight) if (processedByVictim.has(id)) processedUnackedAtKills.add(id);
      spawnWorker();
    }

    // Workers resolve when they see the queue drained; keep one alive until leases of killed
    // workers have been reclaimed and everything is done.
    await waitUntil(
      "the queue to drain",
      async () => {
        const stats = await queue.stats();
        if (stats.pending + stats.inFlight + stats.delayed === 0) return true;
        if (alive.size === 0) spawnWorker();
        return false;
      },
      90_000,
    );
    await Promise.all([...alive.values()].map((proc) => proc.kill("SIGTERM")));

    const { lost, duplicates } = await processedCounts(client, `chaos:{${QUEUE}}:count`, ids.map(String));
    // A duplicate is only allowed for an item a killed worker had processed and not acked.
    const itemOf = await client.hgetall(`chaos:{${QUEUE}}:item-of`);
    const atRisk = new Set([...processedUnackedAtKills].map((queueId) => itemOf[queueId]));
    const unexplained = duplicates.filter((id) => !atRisk.has(id));
    const dead = (await queue.stats()).dead;
    summary("queue-kills", {
      items: ITEMS,
      kills,
      duplicates: duplicates.length,
      "inflight-at-kills": inflightAtKills,
      "processed-unacked-at-kills": processedUnackedAtKills.size,
      lost: lost.length,
      dead,
      "duplicates-without-kill": unexplained.length,
    });
    expect(kills).toBeGreaterThanOrEqual(15);
    expect(lost).toEqual([]);
    expect(dead).toBe(0);
    expect(duplicates.length).toBeLessThanOrEqual(processedUnackedAtKills.size);
    expect(unexplained).toEqual([]);
  } finally {
    await Promise.all(all.map((proc) => proc.kill("SIGKILL")));
    await queue.close();
  }
}, 180_000);
