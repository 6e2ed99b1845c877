import { acquireLock, LockLostError, withLock } from "@octo/redis-lock";
import { startRedis, type TestRedis } from "@octo/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterAll(() => server.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with how long after `from` the signal fired. */
function firedAfter(signal: AbortSignal, from: number): Promise<number> {
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(performance.now() - from), { once: true }),
  );
}

test("runs fn under the lock, returns its result and releases the lock", async () => {
  const outcome = await withLock(redis, "report", async () => {
    expect(await redis.exists("octo:lock:{report}")).toBe(1);
    return 42;
  });
  expect(outcome).toEqual({ acquired: true, result: 42, lockLost: undefined });
  expect(await redis.exists("octo:lock:{report}")).toBe(0);
});

test("says acquired: false and does not run fn when the lock is held", async () => {
  await acquireLock(redis, "busy", "someone-else", "10s");
  let ran = false;
  const outcome = await withLock(redis, "busy", async () => {
    ran = true;
  });
  expect(outcome).toEqual({ acquired: false });
  expect(ran).toBe(false);
  expect(await redis.get("octo:lock:{busy}")).toBe("someone-else");
});

test("waitFor keeps trying until the holder lets go", async () => {
  await acquireLock(redis, "queue-up", "holder", "10s");
  setTimeout(() => void redis.del("octo:lock:{queue-up}"), 300);
  const outcome = await withLock(redis, "queue-up", async () => "mine", { waitFor: "5s", retryDelay: 20 });
  expect(outcome).toEqual({ acquired: true, result: "mine", lockLost: undefined });
});

test("waitFor gives up with acquired: false when the lock stays held", async () => {
  await acquireLock(redis, "stuck", "holder", "10s");
  const outcome = await withLock(redis, "stuck", async () => "never", { waitFor: 200, retryDelay: 20 });
  expect(outcome).toEqual({ acquired: false });
});

test("renewal keeps the lock past its period while fn runs", async () => {
  const period = 2000;
  const outcome = await withLock(
    redis,
    "long-run",
    async (signal, lock) => {
      await sleep(period * 1.3);
      expect(await redis.get("octo:lock:{long-run}")).toBe(lock.owner);
      expect(await redis.pttl("octo:lock:{long-run}")).toBeGreaterThan(0);
      return signal.aborted;
    },
    { period, renewEvery: 400 },
  );
  expect(outcome).toEqual({ acquired: true, result: false, lockLost: undefined });
  expect(await redis.exists("octo:lock:{long-run}")).toBe(0);
});

test("fn's error is rethrown after the lock is released", async () => {
  await expect(
    withLock(redis, "failing", async () => {
      throw new Error("boom");
    }),
  ).rejects.toThrow("boom");
  expect(await redis.exists("octo:lock:{failing}")).toBe(0);
});

/** `reason` is the LockLostError of this withLock: its group and owner. */
function expectLockLost(reason: unknown, group: string, owner: string): void {
  expect(reason).toBeInstanceOf(LockLostError);
  expect((reason as LockLostError).code).toBe("ERR_OCTO_LOCK_LOST");
  expect((reason as LockLostError).group).toBe(group);
  expect((reason as LockLostError).owner).toBe(owner);
}

test("a lock deleted under a running withLock fires the signal within one renewal interval", async () => {
  const renewEvery = 1000;
  const outcome = await withLock(
    redis,
    "deleted",
    async (signal, lock) => {
      const deletedAt = performance.now();
      const fired = firedAfter(signal, deletedAt);
      await redis.del("octo:lock:{deleted}");
      // One renewal interval, plus slack for a busy machine.
      const after = await Promise.race([fired, sleep(renewEvery * 3).then(() => Number.POSITIVE_INFINITY)]);
      expect(after).toBeLessThan(renewEvery * 3);
      expectLockLost(signal.reason, "deleted", lock.owner);
      return "finished anyway";
    },
    { period: 10_000, renewEvery },
  );
  expect(outcome.acquired).toBe(true);
  if (!outcome.acquired) return;
  expect(outcome.result).toBe("finished anyway");
  expect(outcome.lockLost).toBeInstanceOf(LockLostError);
  expect(outcome.lockLost?.code).toBe("ERR_OCTO_LOCK_LOST");
});

test("a lock that expired under a running withLock fires the signal and is not revived", async () => {
  const renewEvery = 1000;
  const outcome = await withLock(
    redis,
    "expired",
    async (signal, lock) => {
      const expiredAt = performance.now();
      const fired = firedAfter(signal, expiredAt);
      await redis.pexpire("octo:lock:{expired}", 1);
      const after = await Promise.race([fired, sleep(renewEvery * 3).then(() => Number.POSITIVE_INFINITY)]);
      expect(after).toBeLessThan(renewEvery * 3);
      expectLockLost(signal.reason, "expired", lock.owner);
      return "done";
    },
    { period: 10_000, renewEvery },
  );
  expect(outcome.acquired && outcome.lockLost).toBeInstanceOf(LockLostError);
  expect(await redis.exists("octo:lock:{expired}")).toBe(0);
});

test("a lock taken over by another owner fires the signal and the other's lock is left in place", async () => {
  const outcome = await withLock(
    redis,
    "taken",
    async (signal, lock) => {
      await redis.set("octo:lock:{taken}", "usurper", "PX", 10_000);
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      expectLockLost(signal.reason, "taken", lock.owner);
      expect((signal.reason as Error).message).toContain("no longer held by this owner");
      return lock.owner;
    },
    { period: 2000, renewEvery: 100 },
  );
  expect(outcome.acquired).toBe(true);
  if (outcome.acquired) expectLockLost(outcome.lockLost, "taken", outcome.result);
  expect(await redis.get("octo:lock:{taken}")).toBe("usurper");
});

test("an aborted options.signal reaches fn's signal and the lock is still released", async () => {
  const stop = new AbortController();
  const outcome = await withLock(
    redis,
    "stopped",
    async (signal) => {
      setTimeout(() => stop.abort(new Error("shutting down")), 50);
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      return (signal.reason as Error).message;
    },
    { signal: stop.signal },
  );
  expect(outcome).toEqual({ acquired: true, result: "shutting down", lockLost: undefined });
  expect(await redis.exists("octo:lock:{stopped}")).toBe(0);
});

test("an aborted options.signal stops the waiting with its reason", async () => {
  await acquireLock(redis, "wait-stopped", "holder", "10s");
  const stop = new AbortController();
  setTimeout(() => stop.abort(new Error("gave up")), 100);
  await expect(
    withLock(redis, "wait-stopped", async () => 1, { waitFor: "10s", retryDelay: 20, signal: stop.signal }),
  ).rejects.toThrow("gave up");
});
