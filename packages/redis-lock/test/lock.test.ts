import { acquireFencedLock, acquireLock, extendLock, releaseLock } from "@octo/redis-lock";
import { startRedis, type TestRedis, waitUntil } from "@octo/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterAll(() => server.stop());

/** Waits until Redis itself no longer has the key: expiry is Redis' clock, not ours. */
function waitUntilGone(key: string): Promise<void> {
  return waitUntil(`${key} to expire`, async () => (await redis.exists(key)) === 0, 30_000, {
    intervalMs: 10,
  });
}

/** The key exists and expires within (0, atMostMs]: a lock without an expiry (PTTL -1) fails. */
async function expectExpiresWithin(key: string, atMostMs: number): Promise<void> {
  const pttl = await redis.pttl(key);
  expect(pttl).toBeGreaterThan(0);
  expect(pttl).toBeLessThanOrEqual(atMostMs);
}

test("of 20 concurrent acquirers on separate connections exactly one wins", async () => {
  const clients = Array.from({ length: 20 }, () => server.client());
  await Promise.all(clients.map((client) => client.ping()));
  const results = await Promise.all(
    clients.map((client, i) => acquireLock(client, "contended", `owner-${i}`, "10s")),
  );
  expect(results.filter(Boolean)).toHaveLength(1);
  const winner = results.indexOf(true);
  expect(await redis.get("octo:lock:{contended}")).toBe(`owner-${winner}`);
  await Promise.all(clients.map((client) => client.quit()));
});

test("a held lock cannot be acquired by another owner", async () => {
  expect(await acquireLock(redis, "held", "a", "10s")).toBe(true);
  expect(await acquireLock(redis, "held", "b", "10s")).toBe(false);
  expect(await redis.get("octo:lock:{held}")).toBe("a");
});

test("the owner that holds the lock acquires it again: true, the period starts over, no new token", async () => {
  expect(await acquireLock(redis, "reacquired", "a", "10s")).toBe(true);
  expect(await acquireLock(redis, "reacquired", "a", "1h")).toBe(true);
  expect(await redis.pttl("octo:lock:{reacquired}")).toBeGreaterThan(3_500_000);
  expect(await redis.get("octo:lock:{reacquired}:token")).toBe("1");
  const fenced = await acquireFencedLock(redis, "reacquired", "a", "10s");
  expect(fenced?.token).toBe(1);
  const pttl = await redis.pttl("octo:lock:{reacquired}");
  expect(pttl).toBeGreaterThan(0);
  expect(pttl).toBeLessThanOrEqual(10_000);
  expect(await releaseLock(redis, "reacquired", "a")).toBe(true);
});

test("the lock expires after its period and a new owner gets it", async () => {
  expect(await acquireLock(redis, "expiring", "first", 1000)).toBe(true);
  await expectExpiresWithin("octo:lock:{expiring}", 1000);
  expect(await acquireLock(redis, "expiring", "second", 1000)).toBe(false);
  await waitUntilGone("octo:lock:{expiring}");
  expect(await acquireLock(redis, "expiring", "second", "10s")).toBe(true);
  expect(await redis.get("octo:lock:{expiring}")).toBe("second");
  await expectExpiresWithin("octo:lock:{expiring}", 10_000);
});

test("the owner's release frees the lock for the next owner", async () => {
  expect(await acquireLock(redis, "released", "a", "10s")).toBe(true);
  expect(await releaseLock(redis, "released", "a")).toBe(true);
  expect(await redis.exists("octo:lock:{released}")).toBe(0);
  expect(await acquireLock(redis, "released", "b", "10s")).toBe(true);
});

test("a non-owner's release is refused and the lock stays", async () => {
  expect(await acquireLock(redis, "guarded", "owner", "10s")).toBe(true);
  expect(await releaseLock(redis, "guarded", "intruder")).toBe(false);
  expect(await redis.get("octo:lock:{guarded}")).toBe("owner");
});

test("releasing a lock nobody holds returns false", async () => {
  expect(await releaseLock(redis, "never-taken", "someone")).toBe(false);
});

test("a release after expiry and re-acquisition by another returns false and leaves the other's lock", async () => {
  expect(await acquireLock(redis, "handover", "slow", 1000)).toBe(true);
  await expectExpiresWithin("octo:lock:{handover}", 1000);
  await waitUntilGone("octo:lock:{handover}");
  expect(await acquireLock(redis, "handover", "fast", "10s")).toBe(true);
  expect(await releaseLock(redis, "handover", "slow")).toBe(false);
  expect(await redis.get("octo:lock:{handover}")).toBe("fast");
  expect(await redis.pttl("octo:lock:{handover}")).toBeGreaterThan(5000);
});

test("extend pushes the owner's live lock out to the new period", async () => {
  expect(await acquireLock(redis, "extended", "owner", 1000)).toBe(true);
  expect(await extendLock(redis, "extended", "owner", "1h")).toBe(true);
  expect(await redis.pttl("octo:lock:{extended}")).toBeGreaterThan(3_500_000);
  await expectExpiresWithin("octo:lock:{extended}", 3_600_000);
});

test("extend by a non-owner is refused and the lock keeps its expiry", async () => {
  expect(await acquireLock(redis, "not-yours", "owner", "10s")).toBe(true);
  expect(await extendLock(redis, "not-yours", "intruder", "1h")).toBe(false);
  await expectExpiresWithin("octo:lock:{not-yours}", 10_000);
  expect(await redis.get("octo:lock:{not-yours}")).toBe("owner");
});

test("extend of an expired lock returns false and does not revive it", async () => {
  expect(await acquireLock(redis, "lapsed", "owner", 100)).toBe(true);
  await waitUntilGone("octo:lock:{lapsed}");
  expect(await extendLock(redis, "lapsed", "owner", "1h")).toBe(false);
  expect(await redis.exists("octo:lock:{lapsed}")).toBe(0);
});

test("fencing tokens grow with every successful acquire, plain or fenced, and not with failed ones", async () => {
  const first = await acquireFencedLock(redis, "fenced", "a", "10s");
  expect(first?.token).toBe(1);
  expect(await acquireFencedLock(redis, "fenced", "b", "10s")).toBeNull();
  expect(await acquireLock(redis, "fenced", "b", "10s")).toBe(false);
  expect(await first?.release()).toBe(true);
  expect(await acquireLock(redis, "fenced", "b", "10s")).toBe(true);
  expect(await releaseLock(redis, "fenced", "b")).toBe(true);
  const third = await acquireFencedLock(redis, "fenced", "a", "10s");
  expect(third?.token).toBe(3);
  expect(await redis.get("octo:lock:{fenced}:token")).toBe("3");
});

test("a fenced lock's extend and release act only while that acquire holds the lock", async () => {
  const lock = await acquireFencedLock(redis, "fenced-handle", "worker", 1000);
  expect(lock).not.toBeNull();
  expect(await lock!.extend()).toBe(true);
  await expectExpiresWithin("octo:lock:{fenced-handle}", 1000);
  await waitUntilGone("octo:lock:{fenced-handle}");
  // The same owner name acquires again; the stale handle must not touch the new acquire.
  const again = await acquireFencedLock(redis, "fenced-handle", "worker", "10s");
  expect(again!.token).toBeGreaterThan(lock!.token);
  expect(await lock!.extend("1h")).toBe(false);
  expect(await lock!.release()).toBe(false);
  expect(await redis.get("octo:lock:{fenced-handle}")).toBe("worker");
  expect(await again!.extend("1h")).toBe(true);
  expect(await again!.release()).toBe(true);
  expect(await redis.exists("octo:lock:{fenced-handle}")).toBe(0);
});

test("the prefix option places both keys under it, with the group as hash tag", async () => {
  expect(await acquireLock(redis, "billing", "me", "10s", { prefix: "app1" })).toBe(true);
  expect(await redis.get("app1:lock:{billing}")).toBe("me");
  expect(await redis.get("app1:lock:{billing}:token")).toBe("1");
  // Same group under another prefix is a different lock.
  expect(await acquireLock(redis, "billing", "you", "10s", { prefix: "app2" })).toBe(true);
  expect(await releaseLock(redis, "billing", "me", { prefix: "app1" })).toBe(true);
  expect(await redis.get("app2:lock:{billing}")).toBe("you");
});

test("the scripts survive a server-side SCRIPT FLUSH (EVALSHA falls back to EVAL)", async () => {
  expect(await acquireLock(redis, "flushed", "me", "10s")).toBe(true);
  await redis.script("FLUSH");
  expect(await releaseLock(redis, "flushed", "me")).toBe(true);
});

test("runs its own scripts, and leaves another copy of the package its own, when both define them on one client", async () => {
  const client = server.client();
  const other = "return redis.error_reply('ERR the other copy of the package ran')";
  // Another copy, of another version, sharing the client: a release with fixed command names.
  for (const name of ["octoLockAcquire", "octoLockRelease", "octoLockExtend"]) {
    client.defineCommand(name, { numberOfKeys: 0, lua: other });
  }
  expect(await acquireLock(client, "two-copies", "a", 10_000)).toBe(true);
  expect(await extendLock(client, "two-copies", "a", 10_000)).toBe(true);
  expect(await releaseLock(client, "two-copies", "a")).toBe(true);
  // Nor did ours displace the other copy's: it still runs its own.
  const theirs = client as unknown as Record<string, () => Promise<unknown>>;
  await expect(theirs.octoLockAcquire?.()).rejects.toThrow(/the other copy/);
  client.disconnect();
});
