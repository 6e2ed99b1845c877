import { RedisQueue } from "@octo/redis-queue";
import { type NodeProcess, RedisServerProcess, startNodeProcess } from "@octo/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { doubleRuns, leaseEvents } from "./lease-events";
import { fixture, sleep, summary } from "./support";

let server: RedisServerProcess;
beforeAll(async () => {
  server = await RedisServerProcess.start();
});
afterAll(async () => {
  await server?.stop();
});

describe("Redis stall", () => {
  test("redis-server SIGSTOPped for 1.5x the lease, then SIGCONT: nothing lost; an item runs twice only after its first handler's signal fired", async () => {
    const QUEUE = "chaos-stall";
    const ITEMS = 3000;
    const LEASE_MS = 2000;
    const url = `redis://127.0.0.1:${server.port}/0`;
    const client = new Redis(url, { maxRetriesPerRequest: null });
    const queue = new RedisQueue<{ id: number }>(QUEUE, client);
    expect(await queue.fill(Array.from({ length: ITEMS }, (_, id) => ({ id })))).toBe(true);
    const workers: NodeProcess[] = [0, 1, 2].map(() =>
      startNodeProcess(fixture("queue-lease-worker.ts"), {
        args: [url, QUEUE, "10", "50", String(LEASE_MS)],
      }),
    );
    try {
      await Promise.all(workers.map((w) => w.waitFor(/^ready$/)));
      await Promise.all(workers.map((w) => w.waitFor(/^done /)));
      const pid = server.pid as number;
      process.kill(pid, "SIGSTOP");
      await sleep(1.5 * LEASE_MS);
      process.kill(pid, "SIGCONT");
      await Promise.all(workers.map((w) => w.waitFor(/^result /, 120_000)));
      const events = leaseEvents(workers.map((w) => w.output()));
      const done = new Set(events.filter((e) => e.kind === "done").map((e) => e.item));
      const lost = Array.from({ length: ITEMS }, (_, id) => id).filter((id) => !done.has(id));
      const { twice, unexcused } = doubleRuns(events);
      const aborted = events.filter((e) => e.kind === "aborted").length;
      const stats = await queue.stats();
      summary("redis-stall", {
        items: ITEMS,
        "stall-ms": 1.5 * LEASE_MS,
        "lease-ms": LEASE_MS,
        lost: lost.length,
        "ran-twice": twice,
        "ran-twice-unaborted": unexcused.length,
        "signals-aborted": aborted,
        dead: stats.dead,
      });
      expect(lost).toEqual([]);
      expect(unexcused).toEqual([]);
      expect(aborted).toBeGreaterThan(0);
      expect(stats).toEqual({ pending: 0, inFlight: 0, delayed: 0, dead: 0, oldestPendingAgeMs: null });
    } finally {
      if (server.pid) process.kill(server.pid, "SIGCONT");
      await Promise.all(workers.map((w) => w.kill("SIGKILL")));
      client.disconnect();
    }
  }, 180_000);
});
