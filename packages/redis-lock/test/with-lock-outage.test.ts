import { LockLostError, withLock } from "@octo/redis-lock";
import { startRedis, type TestRedis } from "@octo/testing";
import { afterAll, beforeAll, expect, test } from "vitest";

let server: TestRedis;

beforeAll(async () => {
  server = await startRedis({ dedicated: true });
});
afterAll(() => server.stop());

test("when Redis stops answering renewals, the signal fires once the lock would have expired", async () => {
  // Commands wait for the connection to come back rather than fail: the renewal hangs, so only
  // withLock's own view of the expiry can fire the signal.
  const redis = server.client({ maxRetriesPerRequest: null, retryStrategy: () => 50 });
  const period = 1000;
  const renewEvery = 200;
  let firedAt = 0;
  const outcome = await withLock(
    redis,
    "outage",
    async (signal) => {
      const acquiredAt = performance.now();
      await server.kill();
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      firedAt = performance.now() - acquiredAt;
      expect(signal.reason).toBeInstanceOf(LockLostError);
      await server.startAgain();
      return "done";
    },
    { period, renewEvery },
  );
  expect(outcome.acquired && outcome.lockLost).toBeInstanceOf(LockLostError);
  // Never after the lock's own expiry (plus slack for a busy machine), and not while the lock could still be held.
  expect(firedAt).toBeGreaterThanOrEqual(period - renewEvery);
  expect(firedAt).toBeLessThan(period * 1.5);
});
