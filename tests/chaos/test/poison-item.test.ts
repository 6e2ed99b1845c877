import { RedisQueue } from "@octo/redis-queue";
import { type NodeProcess, startNodeProcess, startRedis, type TestRedis } from "@octo/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { leaseEvents } from "./lease-events";
import { fixture, summary } from "./support";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis({ dedicated: true });
});
afterAll(async () => {
  await redis?.stop();
});

describe("poison item", () => {
  test("one item kills its worker each time; 3 workers restarted as they die: it reaches the dead letter after maxStalls, every other item is handled", async () => {
    const QUEUE = "chaos-poison";
    const ITEMS = 2000;
    const POISON = 777;
    const MAX_RESTARTS = 10;
    const queue = new RedisQueue<{ id: number }>(QUEUE, redis.client());
    expect(await queue.fill(Array.from({ length: ITEMS }, (_, id) => ({ id })))).toBe(true);
    const outputs: string[] = [];
    const live = new Set<NodeProcess>();
    let deaths = 0;
    // Parallelism 1: a process the poison kills takes down only the poison's own run.
    const start = () => {
      const worker = startNodeProcess(fixture("queue-lease-worker.ts"), {
        args: [redis.url, QUEUE, "1", "1", "2000", String(POISON)],
      });
      live.add(worker);
      void worker.exited.then((how) => {
        live.delete(worker);
        outputs.push(worker.output());
        if (how === "SIGKILL" && ++deaths <= MAX_RESTARTS) start();
      });
    };
    try {
      for (let i = 0; i < 3; i++) start();
      while (live.size > 0) await Promise.race([...live].map((w) => w.exited));
      const events = leaseEvents(outputs);
      const done = new Set(events.filter((e) => e.kind === "done").map((e) => e.item));
      const poisonRuns = events.filter((e) => e.kind === "start" && e.item === POISON).length;
      const missing = Array.from({ length: ITEMS }, (_, id) => id).filter(
        (id) => id !== POISON && !done.has(id),
      );
      const dead = (await queue.deadLetters()).items;
      const stalls = Number(dead[0]?.error.match(/stalled its workers (\d+) times/)?.[1] ?? 0);
      summary("poison-item", {
        items: ITEMS,
        workers: 3,
        deaths,
        "poison-runs": poisonRuns,
        "stalls-counted": stalls,
        "max-stalls": 1,
        dead: dead.length,
        "others-missing": missing.length,
      });
      expect(dead.map((d) => d.item)).toEqual([{ id: POISON }]);
      expect(stalls).toBe(2);
      expect(deaths).toBeGreaterThanOrEqual(2);
      expect(deaths).toBeLessThanOrEqual(MAX_RESTARTS);
      expect(missing).toEqual([]);
      expect(await queue.stats()).toEqual({
        pending: 0,
        inFlight: 0,
        delayed: 0,
        dead: 1,
        oldestPendingAgeMs: null,
      });
    } finally {
      await Promise.all([...live].map((w) => w.kill("SIGKILL")));
    }
  }, 180_000);
});
