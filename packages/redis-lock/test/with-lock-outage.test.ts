import { LockLostError, withLock } from "@octo/redis-lock";
import { sleep, startRedis, startTcpProxy, type TestRedis, waitUntil } from "@octo/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";

let server: TestRedis;

beforeAll(async () => {
  server = await startRedis({ dedicated: true });
});
afterAll(() => server.stop());

test("when Redis stops answering renewals, the signal fires before the lock could expire", async () => {
  // Commands wait for the connection to come back rather than fail: the renewal hangs, so only
  // withLock's own view of the expiry can fire the signal.
  const redis = server.client({ maxRetriesPerRequest: null, retryStrategy: () => 50 });
  await redis.ping();
  const period = 2000;
  const renewEvery = 400;
  let firedAt = 0;
  const outcome = await withLock(
    redis,
    "outage",
    async (signal, lock) => {
      const acquiredAt = performance.now();
      await server.kill();
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      firedAt = performance.now() - acquiredAt;
      expect(signal.reason).toBeInstanceOf(LockLostError);
      expect((signal.reason as LockLostError).group).toBe("outage");
      expect((signal.reason as LockLostError).owner).toBe(lock.owner);
      await server.startAgain();
      return "done";
    },
    { period, renewEvery },
  );
  expect(outcome.acquired && outcome.lockLost).toBeInstanceOf(LockLostError);
  // Not while renewals could still have kept the lock, and never long after its expiry (slack
  // for a busy machine).
  expect(firedAt).toBeGreaterThanOrEqual(period - renewEvery);
  expect(firedAt).toBeLessThan(period * 1.5);
});

test("renewals that fail with a Redis error are retried, and a retry that succeeds keeps the lock", async () => {
  const proxy = await startTcpProxy(server.port);
  // No offline queue: while the connection is down, every renewal fails at once with an error.
  const holder = new Redis(`redis://127.0.0.1:${proxy.port}`, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
    retryStrategy: () => 50,
  });
  holder.on("error", () => {});
  const direct = server.client();
  const period = 6000;
  const renewEvery = 1500;
  try {
    await holder.connect();
    const outcome = await withLock(
      holder,
      "renewal-errors",
      async (signal) => {
        const start = performance.now();
        await sleep(500);
        // Down from 0.5 s to 4.6 s: the renewals due at 1.5, 3 and 4.5 s all fail. Only retries
        // (every retryDelay) can renew the lock before its expiry at 6 s; the next regular
        // renewal, at 6 s, would be too late.
        proxy.pause();
        proxy.dropAll();
        await sleep(4600 - (performance.now() - start));
        const pttlBeforeResume = await direct.pttl("octo:lock:{renewal-errors}");
        proxy.resume();
        await waitUntil(
          "a renewal after the outage, or the lock's expiry",
          async () => {
            const pttl = await direct.pttl("octo:lock:{renewal-errors}");
            return pttl > period - renewEvery || pttl < 0;
          },
          10_000,
        );
        return {
          pttlBeforeResume,
          pttlAfter: await direct.pttl("octo:lock:{renewal-errors}"),
          aborted: signal.aborted,
        };
      },
      { period, renewEvery, retryDelay: 100 },
    );
    expect(outcome.acquired).toBe(true);
    if (!outcome.acquired) return;
    // No renewal got through during the outage ...
    expect(outcome.result.pttlBeforeResume).toBeGreaterThan(0);
    expect(outcome.result.pttlBeforeResume).toBeLessThan(period - renewEvery);
    // ... and a retry renewed the lock afterwards, before it expired, without firing the signal.
    expect(outcome.result.pttlAfter).toBeGreaterThan(period - renewEvery);
    expect(outcome.result.aborted).toBe(false);
    expect(outcome.lockLost).toBeUndefined();
  } finally {
    holder.disconnect();
    await proxy.close();
  }
});
