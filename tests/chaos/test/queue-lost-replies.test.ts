import { RedisQueue } from "@octo/redis-queue";
import { type NodeProcess, startNodeProcess, startRedis, startTcpProxy, type TestRedis } from "@octo/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { doubleRuns, leaseEvents } from "./lease-events";
import { fixture, sleep, summary } from "./support";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis({ dedicated: true });
});
afterAll(async () => {
  await redis?.stop();
});

describe("lost replies, queue", () => {
  test("3 workers, 5,000 items, 20 replies lost at random queue commands: nothing lost, every item acked, no lease lost", async () => {
    const QUEUE = "chaos-lost-replies";
    const ITEMS = 5000;
    const CUTS = 20;
    const proxy = await startTcpProxy(redis.port);
    const queue = new RedisQueue<{ id: number }>(QUEUE, redis.client());
    expect(await queue.fill(Array.from({ length: ITEMS }, (_, id) => ({ id })))).toBe(true);
    const url = `redis://127.0.0.1:${proxy.port}/${redis.db}`;
    const workers: NodeProcess[] = [0, 1, 2].map(() =>
      startNodeProcess(fixture("queue-lease-worker.ts"), { args: [url, QUEUE, "10", "20", "5000"] }),
    );
    try {
      await Promise.all(workers.map((w) => w.waitFor(/^ready$/)));
      // One cut at a time: the next script call (take, renewal, ack, give-back) on any worker's
      // connection reaches Redis, and its reply is lost; ioredis reconnects and sends it again.
      const cutCommands: string[] = [];
      const running = Promise.all(workers.map((w) => w.waitFor(/^result /, 120_000)));
      let drained = false;
      void running.then(() => {
        drained = true;
      });
      for (let i = 0; i < CUTS && !drained; i++) {
        const request = await Promise.race([
          proxy.loseNextReply((text) => /\r\n(evalsha|eval)\r\n/.test(text) && Math.random() < 0.5),
          running.then(() => undefined),
        ]);
        if (request !== undefined) cutCommands.push(request.includes("evalsha") ? "evalsha" : "eval");
        await sleep(50 + Math.random() * 150);
      }
      await running;
      const outputs = workers.map((w) => w.output());
      const events = leaseEvents(outputs);
      const done = new Map<number, number>();
      for (const e of events) if (e.kind === "done") done.set(e.item, (done.get(e.item) ?? 0) + 1);
      const lost = Array.from({ length: ITEMS }, (_, id) => id).filter((id) => !done.has(id));
      const duplicates = [...done.values()].filter((n) => n > 1).length;
      const aborted = events.filter((e) => e.kind === "aborted").length;
      const refused = outputs.join("\n").match(/^warn acks refused/gm)?.length ?? 0;
      const stats = await queue.stats();
      summary("lost-replies-queue", {
        items: ITEMS,
        workers: workers.length,
        cuts: cutCommands.length,
        lost: lost.length,
        duplicates,
        "double-runs": doubleRuns(events).twice,
        "leases-lost": aborted,
        "acks-refused": refused,
        dead: stats.dead,
      });
      expect(cutCommands.length).toBe(CUTS);
      expect(lost).toEqual([]);
      expect(duplicates).toBe(0);
      expect(aborted).toBe(0);
      expect(refused).toBe(0);
      expect(stats).toEqual({ pending: 0, inFlight: 0, delayed: 0, dead: 0, oldestPendingAgeMs: null });
    } finally {
      await Promise.all(workers.map((w) => w.kill("SIGKILL")));
      await proxy.close();
    }
  }, 180_000);
});
