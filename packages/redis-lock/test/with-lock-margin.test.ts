import { fileURLToPath } from "node:url";
import { LockLostError, withLock } from "@octo/redis-lock";
import {
  type NodeProcess,
  startNodeProcess,
  startRedis,
  startTcpProxy,
  type TcpProxy,
  type TestRedis,
  waitUntil,
} from "@octo/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";

// The holder's renewals are held back by a stalled proxy (a TCP path that goes silent), so its
// lock runs out in Redis after one period; the question is whether its signal fires before
// another owner can have the lock.

let server: TestRedis;
let proxy: TcpProxy;
let direct: Redis;

beforeAll(async () => {
  server = await startRedis();
  proxy = await startTcpProxy(server.port);
  direct = server.client();
});
afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

/** A connected client through the proxy: the acquire must not wait for a connection to open. */
async function holderClient(): Promise<Redis> {
  const client = new Redis(`redis://127.0.0.1:${proxy.port}/${server.db}`, { maxRetriesPerRequest: null });
  client.on("error", () => {});
  await client.ping();
  return client;
}

/** Keeps the event loop busy in 8 ms chunks, as a CPU-heavy handler does, until `signal` fires. */
async function burnCpuUntil(signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const chunkEnd = performance.now() + 8;
    while (performance.now() < chunkEnd) {
      // busy: this is the load
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test("under CPU load the holder's signal fires before a contending process can take the lock (default margin)", async () => {
  const group = "margin-contended";
  const holder = await holderClient();
  let contender: NodeProcess | undefined;
  let abortedAt = 0;
  try {
    const outcome = await withLock(
      holder,
      group,
      async (signal, lock) => {
        signal.addEventListener("abort", () => {
          abortedAt = Date.now();
        });
        proxy.stall();
        const started = startNodeProcess(fileURLToPath(new URL("./fixtures/contender.ts", import.meta.url)), {
          args: [server.url, group],
        });
        contender = started;
        await started.waitFor(/^ready$/);
        await burnCpuUntil(signal);
        expect(signal.reason).toBeInstanceOf(LockLostError);
        expect((signal.reason as LockLostError).group).toBe(group);
        expect((signal.reason as LockLostError).owner).toBe(lock.owner);
        // Keep the holder's queued renewal away from Redis until the contender has the lock.
        const line = await started.waitFor(/^acquired sentAt=\d+$/, 30_000);
        proxy.unstall();
        return Number(line.split("=")[1]);
      },
      { period: "5s" },
    );
    expect(outcome.acquired && outcome.lockLost).toBeInstanceOf(LockLostError);
    const contenderSentAt = outcome.acquired ? outcome.result : 0;
    // The winning attempt was sent after the holder had been told: no moment of two holders.
    expect(abortedAt).toBeGreaterThan(0);
    expect(abortedAt).toBeLessThanOrEqual(contenderSentAt);
    expect(await direct.get(`octo:lock:{${group}}`)).toBe("contender");
  } finally {
    proxy.unstall();
    holder.disconnect();
    await contender?.kill("SIGKILL");
  }
}, 60_000);

test("the signal fires safetyMargin before the lock's expiry as Redis sees it", async () => {
  const group = "margin-option";
  const holder = await holderClient();
  let pttlAtAbort: Promise<number> | undefined;
  try {
    const outcome = await withLock(
      holder,
      group,
      async (signal) => {
        proxy.stall();
        await new Promise<void>((resolve) =>
          signal.addEventListener(
            "abort",
            () => {
              pttlAtAbort = direct.pttl(`octo:lock:{${group}}`);
              resolve();
            },
            { once: true },
          ),
        );
        await waitUntil(
          "the lock to expire in Redis",
          async () => (await direct.exists(`octo:lock:{${group}}`)) === 0,
        );
        proxy.unstall();
        return "stopped";
      },
      { period: "3s", renewEvery: "500ms", safetyMargin: "1500ms" },
    );
    expect(outcome.acquired && outcome.lockLost).toBeInstanceOf(LockLostError);
    // 1.5 s before the expiry, give or take a slow timer and a round trip: the lock is still
    // there with most of the margin left.
    expect(await pttlAtAbort).toBeGreaterThan(700);
    expect(await pttlAtAbort).toBeLessThan(1600);
  } finally {
    proxy.unstall();
    holder.disconnect();
  }
}, 60_000);
