import { acquireFencedLock, acquireLock, extendLock, releaseLock, withLock } from "@octo/redis-lock";
import { sleep, startRedis, startTcpProxy, type TcpProxy, type TestRedis } from "@octo/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";

// Each test loses one reply for real: a proxy between the client and Redis forwards the request,
// Redis runs it, and the proxy cuts the connection instead of delivering the answer. ioredis
// reconnects and sends the command again (its default `autoResendUnfulfilledCommands`), so the
// script runs twice and the caller sees only the second answer.

let server: TestRedis;
let proxy: TcpProxy;
let direct: Redis;
let client: Redis;

beforeAll(async () => {
  server = await startRedis();
  proxy = await startTcpProxy(server.port);
  direct = server.client();
  client = new Redis(`redis://127.0.0.1:${proxy.port}/${server.db}`, {
    maxRetriesPerRequest: null,
    retryStrategy: () => 20,
  });
  client.on("error", () => {});
  // Load the scripts first: a lost NOSCRIPT reply would not be a lost script run.
  await withLock(client, "warm-up", async () => {
    await extendLock(client, "warm-up", "nobody", "1s");
  });
});
afterAll(async () => {
  client?.disconnect();
  await proxy?.close();
  await server?.stop();
});

/**
 * Loses the reply to the next request that names `group`'s lock key: only the lock's scripts do
 * (as `evalsha`, or as `eval` the first time a script runs on a new connection).
 */
function loseNextScriptReply(group: string): Promise<string> {
  const key = `octo:lock:{${group}}`;
  return proxy.loseNextReply((request) => request.includes(key));
}

test("acquireLock whose reply was lost answers true: the re-sent acquire finds its own lock", async () => {
  const cut = loseNextScriptReply("acquire-lost");
  const accepted = proxy.accepted;
  expect(await acquireLock(client, "acquire-lost", "me", "1m")).toBe(true);
  await cut;
  expect(proxy.accepted).toBeGreaterThan(accepted);
  expect(await direct.get("octo:lock:{acquire-lost}")).toBe("me");
  // The re-send drew no second token.
  expect(await direct.get("octo:lock:{acquire-lost}:token")).toBe("1");
  expect(await acquireLock(direct, "acquire-lost", "someone-else", "1m")).toBe(false);
  expect(await releaseLock(client, "acquire-lost", "me")).toBe(true);
  expect(await direct.exists("octo:lock:{acquire-lost}")).toBe(0);
});

test("acquireFencedLock whose reply was lost returns the token the first acquire drew", async () => {
  await acquireLock(direct, "fenced-lost", "earlier", "1m");
  await releaseLock(direct, "fenced-lost", "earlier");
  const cut = loseNextScriptReply("fenced-lost");
  const lock = await acquireFencedLock(client, "fenced-lost", "me", "1m");
  await cut;
  expect(lock?.token).toBe(2);
  expect(await direct.get("octo:lock:{fenced-lost}:token")).toBe("2");
  expect(await lock!.extend()).toBe(true);
  expect(await lock!.release()).toBe(true);
  expect(await direct.exists("octo:lock:{fenced-lost}")).toBe(0);
});

test("withLock whose acquire reply was lost runs fn under the lock and releases it", async () => {
  const cut = loseNextScriptReply("with-lock-lost");
  const outcome = await withLock(client, "with-lock-lost", async (_signal, lock) => {
    expect(await direct.get("octo:lock:{with-lock-lost}")).toBe(lock.owner);
    return lock.token;
  });
  await cut;
  expect(outcome).toEqual({ acquired: true, result: 1, lockLost: undefined });
  expect(await direct.exists("octo:lock:{with-lock-lost}")).toBe(0);
});

test("releaseLock whose reply was lost answers true: the re-send finds the first release's receipt", async () => {
  expect(await acquireLock(client, "release-lost", "me", "1m")).toBe(true);
  const cut = loseNextScriptReply("release-lost");
  expect(await releaseLock(client, "release-lost", "me")).toBe(true);
  await cut;
  expect(await direct.exists("octo:lock:{release-lost}")).toBe(0);
  expect(await direct.zrange("octo:lock:{release-lost}:receipts", 0, "-1")).toEqual(["me\n", "me\n1"]);
  const receiptTtl = await direct.pttl("octo:lock:{release-lost}:receipts");
  expect(receiptTtl).toBeGreaterThan(0);
  expect(receiptTtl).toBeLessThanOrEqual(10 * 60_000);
});

test("a fenced release whose reply was lost answers true, also when another owner took the lock meanwhile", async () => {
  const lock = await acquireFencedLock(client, "fenced-release-lost", "me", "1m");
  expect(lock).not.toBeNull();
  const cut = loseNextScriptReply("fenced-release-lost");
  // Stall the reconnect until another owner has the lock, then let the re-send through.
  const released = lock!.release();
  await cut;
  proxy.pause();
  expect(await acquireLock(direct, "fenced-release-lost", "next", "1m")).toBe(true);
  proxy.resume();
  expect(await released).toBe(true);
  expect(await direct.get("octo:lock:{fenced-release-lost}")).toBe("next");
});

/**
 * Loses the reply to `release` (of a lock of `group` it holds), and before ioredis can re-send it
 * lets two other owners take and release the lock: a busy group between the first run and the
 * re-send. Answers what the re-sent release answered.
 */
async function releaseLostWhileBusy(group: string, release: () => Promise<boolean>): Promise<boolean> {
  const cut = loseNextScriptReply(group);
  const released = release();
  await cut;
  proxy.pause();
  for (const other of ["next", "after-next"]) {
    expect(await acquireLock(direct, group, other, "1m")).toBe(true);
    expect(await releaseLock(direct, group, other)).toBe(true);
  }
  proxy.resume();
  return released;
}

test("a release whose reply was lost answers true when other owners took and released the lock meanwhile", async () => {
  const lock = await acquireFencedLock(client, "release-lost-busy", "me", "1m");
  expect(lock).not.toBeNull();
  expect(await releaseLostWhileBusy("release-lost-busy", () => lock!.release())).toBe(true);
  expect(await acquireLock(client, "release-lost-busy", "me", "1m")).toBe(true);
  expect(
    await releaseLostWhileBusy("release-lost-busy", () => releaseLock(client, "release-lost-busy", "me")),
  ).toBe(true);
  // The re-sends changed nothing, and a release that never ran is still not answered `true`.
  expect(await direct.exists("octo:lock:{release-lost-busy}")).toBe(0);
  expect(await releaseLock(direct, "release-lost-busy", "someone-else")).toBe(false);
});

test("receipts are kept for the latest 1000 releases of a group, so a busy group's key stays small", async () => {
  for (let i = 0; i < 1005; i++) {
    expect(await acquireLock(direct, "many-releases", `owner-${i}`, "1m")).toBe(true);
    expect(await releaseLock(direct, "many-releases", `owner-${i}`)).toBe(true);
  }
  expect(await direct.zcard("octo:lock:{many-releases}:receipts")).toBe(2000);
  expect(await releaseLock(direct, "many-releases", "owner-1004")).toBe(true);
  expect(await releaseLock(direct, "many-releases", "owner-5")).toBe(true);
  expect(await releaseLock(direct, "many-releases", "owner-4")).toBe(false);
});

test("extendLock whose reply was lost answers true and the lock has the new period", async () => {
  expect(await acquireLock(client, "extend-lost", "me", "10s")).toBe(true);
  const cut = loseNextScriptReply("extend-lost");
  expect(await extendLock(client, "extend-lost", "me", "1h")).toBe(true);
  await cut;
  expect(await direct.pttl("octo:lock:{extend-lost}")).toBeGreaterThan(3_500_000);
});

test("a withLock renewal whose reply was lost keeps the lock: the signal does not fire", async () => {
  const outcome = await withLock(
    client,
    "renewal-lost",
    async (signal, lock) => {
      await loseNextScriptReply("renewal-lost");
      // Nothing is to happen: give the re-sent renewal and two more renewals time to answer.
      await sleep(1500);
      expect(signal.aborted).toBe(false);
      expect(await direct.get("octo:lock:{renewal-lost}")).toBe(lock.owner);
      return "done";
    },
    { period: "20s", renewEvery: "500ms" },
  );
  expect(outcome).toEqual({ acquired: true, result: "done", lockLost: undefined });
  expect(await direct.exists("octo:lock:{renewal-lost}")).toBe(0);
});

test("a release that did not release is not answered from an old receipt", async () => {
  // First acquire released: receipt for (me, 1).
  expect(await acquireLock(direct, "stale-receipt", "me", "1m")).toBe(true);
  expect(await releaseLock(direct, "stale-receipt", "me")).toBe(true);
  // The same owner acquires again and the lock expires: that acquire was never released.
  expect(await acquireLock(direct, "stale-receipt", "me", "1m")).toBe(true);
  expect(await direct.zrange("octo:lock:{stale-receipt}:receipts", 0, "-1")).toEqual(["me\n1"]);
  await direct.del("octo:lock:{stale-receipt}");
  expect(await releaseLock(direct, "stale-receipt", "me")).toBe(false);
  // Nor is another owner's release answered from someone's receipt.
  expect(await acquireLock(direct, "stale-receipt", "a", "1m")).toBe(true);
  expect(await releaseLock(direct, "stale-receipt", "a")).toBe(true);
  expect(await releaseLock(direct, "stale-receipt", "b")).toBe(false);
  // A stale fenced handle does not match a receipt of a later acquire by the same owner name.
  const old = await acquireFencedLock(direct, "stale-receipt", "c", "1m");
  await direct.del("octo:lock:{stale-receipt}");
  const later = await acquireFencedLock(direct, "stale-receipt", "c", "1m");
  expect(await later!.release()).toBe(true);
  expect(await old!.release()).toBe(false);
});
