import { acquireLock, withLock } from "@octo/redis-lock";
import { RedisQueue } from "@octo/redis-queue";
import {
  type NodeProcess,
  startNodeProcess,
  startRedis,
  startTcpProxy,
  type TcpProxy,
  type TestRedis,
} from "@octo/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fixture, processedCounts, sleep, summary, waitUntil } from "./support";

let redis: TestRedis;
let proxy: TcpProxy;
beforeAll(async () => {
  redis = await startRedis({ dedicated: true });
  proxy = await startTcpProxy(redis.port);
});
afterAll(async () => {
  await proxy?.close();
  await redis?.stop();
});

const viaProxy = () => `redis://127.0.0.1:${proxy.port}/${redis.db}`;

describe("network faults", () => {
  test("queue: every connection dropped twice mid-run (once with the server unreachable for 3 s): nothing lost, no dead letters", async () => {
    const QUEUE = "chaos-net";
    const ITEMS = 5000;
    const client = redis.client();
    const queue = new RedisQueue<{ id: number }>(QUEUE, client, {
      retries: 3,
      timeout: "500ms",
      leaseTime: "2s",
    });
    const ids = Array.from({ length: ITEMS }, (_, i) => i);
    expect(await queue.fill(ids.map((id) => ({ id })))).toBe(true);
    const workers: NodeProcess[] = [0, 1].map((n) =>
      startNodeProcess(fixture("queue-worker.ts"), { args: [viaProxy(), QUEUE, `n${n}`, "10", "5"] }),
    );
    try {
      await Promise.all(workers.map((w) => w.waitFor(/ready/)));
      const before = proxy.accepted;
      await sleep(1000);
      proxy.dropAll();
      await sleep(1000);
      proxy.pause();
      proxy.dropAll();
      await sleep(3000);
      proxy.resume();
      await waitUntil(
        "the workers to drain the queue",
        async () => {
          const stats = await queue.stats();
          return stats.pending + stats.inFlight + stats.delayed === 0;
        },
        60_000,
      );
      const reconnects = proxy.accepted - before;
      const { lost, duplicates } = await processedCounts(client, `chaos:{${QUEUE}}:count`, ids.map(String));
      const dead = (await queue.stats()).dead;
      summary("network-queue", {
        items: ITEMS,
        drops: 2,
        reconnects,
        lost: lost.length,
        duplicates: duplicates.length,
        dead,
      });
      expect(reconnects).toBeGreaterThan(0);
      expect(lost).toEqual([]);
      expect(dead).toBe(0);
    } finally {
      await Promise.all(workers.map((w) => w.kill("SIGKILL")));
      await queue.close();
    }
  }, 120_000);

  for (const outageMs of [0, 3000]) {
    test(`lock held across a dropped connection (server unreachable ${outageMs} ms): it survives or its signal fires before anyone else holds it`, async () => {
      const group = `chaos-net-lock-${outageMs}`;
      const holder = new Redis(viaProxy(), { maxRetriesPerRequest: null });
      holder.on("error", () => {});
      const contender = redis.client();
      let abortedAt: number | undefined;
      let contenderAt: number | undefined;
      let running = true;
      let contend: Promise<void> = Promise.resolve();
      // Started once the holder has the lock: from then on it tries to take it every 50 ms.
      const startContender = () => {
        contend = (async () => {
          while (running && contenderAt === undefined) {
            if (await acquireLock(contender, group, "contender", "10s")) contenderAt = Date.now();
            else await sleep(50);
          }
        })();
      };
      try {
        const outcome = await withLock(
          holder,
          group,
          async (signal) => {
            signal.addEventListener("abort", () => {
              abortedAt = Date.now();
            });
            startContender();
            await sleep(500);
            if (outageMs > 0) proxy.pause();
            proxy.dropAll();
            await sleep(outageMs);
            proxy.resume();
            await sleep(2500);
            return "done";
          },
          { period: "2s" },
        );
        running = false;
        await contend;
        expect(outcome.acquired).toBe(true);
        const survived = abortedAt === undefined;
        summary(`network-lock-${outageMs}ms`, {
          outcome: survived ? "survived" : "signal-fired",
          "contender-acquired": contenderAt === undefined ? "no" : "yes",
        });
        if (survived) {
          // Held throughout: nobody else may have had it.
          expect(contenderAt).toBeUndefined();
          if (outcome.acquired) expect(outcome.lockLost).toBeUndefined();
        } else {
          // Lost: the holder must have been told before another owner could take it.
          expect(abortedAt).toBeLessThanOrEqual(contenderAt ?? Number.POSITIVE_INFINITY);
          if (outcome.acquired) expect(outcome.lockLost?.code).toBe("ERR_OCTO_LOCK_LOST");
        }
        // A 3 s outage on a 2 s lock cannot be survived.
        if (outageMs >= 3000) expect(survived).toBe(false);
      } finally {
        running = false;
        proxy.resume();
        holder.disconnect();
      }
    }, 60_000);
  }
});
