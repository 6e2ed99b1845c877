import {
  acquireFencedLock,
  acquireLock,
  extendLock,
  InvalidArgumentError,
  releaseLock,
  withLock,
} from "@octo/redis-lock";
import { startRedis, type TestRedis } from "@octo/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
  // Something to disturb: a held lock with its token, so "unchanged" means more than "still empty".
  await acquireLock(redis, "reports", "someone", "1h");
});
afterAll(() => server.stop());

/** Every key with its value and whether it expires: what a bad call must leave as it was. */
async function snapshot(): Promise<string[]> {
  const keys = (await redis.keys("*")).sort();
  return Promise.all(
    keys.map(
      async (key) =>
        `${key}=${(await redis.dumpBuffer(key))?.toString("base64")} ttl:${(await redis.pttl(key)) > 0}`,
    ),
  );
}

async function expectRejected(call: () => Promise<unknown>, argument: string, shown: string) {
  const before = await snapshot();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidArgumentError);
  const invalid = error as InvalidArgumentError;
  expect(invalid.code).toBe("ERR_OCTO_INVALID_ARGUMENT");
  expect(invalid.argument).toBe(argument);
  expect(invalid.message).toContain(argument);
  expect(invalid.message).toContain(shown);
  expect(await snapshot()).toEqual(before);
}

const badPeriods: [unknown, string][] = [
  ["", '""'],
  ["abc", '"abc"'],
  [0, "0"],
  [-5, "-5"],
  ["-5s", '"-5s"'],
  [Number.NaN, "NaN"],
  [Number.POSITIVE_INFINITY, "Infinity"],
  [null, "null"],
  [{}, "an object"],
];

describe("a bad period is refused before Redis is touched", () => {
  test.each(badPeriods)("acquireLock with period %s", (period, shown) =>
    expectRejected(() => acquireLock(redis, "jobs", "me", period as string), "period", shown),
  );
  test.each(badPeriods)("extendLock with period %s", (period, shown) =>
    expectRejected(() => extendLock(redis, "reports", "someone", period as string), "period", shown),
  );
  test.each(badPeriods)("acquireFencedLock with period %s", (period, shown) =>
    expectRejected(() => acquireFencedLock(redis, "jobs", "me", period as string), "period", shown),
  );
  test.each(badPeriods)("withLock with options.period %s", (period, shown) =>
    expectRejected(
      () => withLock(redis, "jobs", async () => 1, { period: period as string }),
      "options.period",
      shown,
    ),
  );
});

describe("a bad group or owner is refused before Redis is touched", () => {
  test.each([
    ["", '""'],
    [42, "42"],
    [undefined, "undefined"],
  ])("group %s", async (group, shown) => {
    await expectRejected(() => acquireLock(redis, group as string, "me", "1s"), "group", shown);
    await expectRejected(() => releaseLock(redis, group as string, "me"), "group", shown);
    await expectRejected(() => extendLock(redis, group as string, "me", "1s"), "group", shown);
    await expectRejected(() => acquireFencedLock(redis, group as string, "me", "1s"), "group", shown);
    await expectRejected(() => withLock(redis, group as string, async () => 1), "group", shown);
  });

  test.each([
    ["", '""'],
    [7, "7"],
    [null, "null"],
  ])("owner %s", async (owner, shown) => {
    await expectRejected(() => acquireLock(redis, "jobs", owner as string, "1s"), "owner", shown);
    await expectRejected(() => releaseLock(redis, "reports", owner as string), "owner", shown);
    await expectRejected(() => extendLock(redis, "reports", owner as string, "1s"), "owner", shown);
    await expectRejected(() => acquireFencedLock(redis, "jobs", owner as string, "1s"), "owner", shown);
    await expectRejected(
      () => withLock(redis, "jobs", async () => 1, { owner: owner as string }),
      "options.owner",
      shown,
    );
  });
});

test("something that is not an ioredis client is refused", async () => {
  for (const [client, shown] of [
    [{}, "an object"],
    [null, "null"],
    ["redis://127.0.0.1:6379", '"redis://127.0.0.1:6379"'],
  ] as const) {
    await expectRejected(() => acquireLock(client as unknown as Redis, "jobs", "me", "1s"), "redis", shown);
    await expectRejected(() => releaseLock(client as unknown as Redis, "jobs", "me"), "redis", shown);
    await expectRejected(() => withLock(client as unknown as Redis, "jobs", async () => 1), "redis", shown);
  }
});

test("an empty prefix is refused", async () => {
  await expectRejected(() => acquireLock(redis, "jobs", "me", "1s", { prefix: "" }), "options.prefix", '""');
});

describe("a group or prefix with a brace is refused: Redis Cluster would read it as the hash tag", () => {
  test.each(["}x", "x{}", "a{b}c", "{tag}"])("group %s", async (group) => {
    const shown = JSON.stringify(group);
    await expectRejected(() => acquireLock(redis, group, "me", "1s"), "group", shown);
    await expectRejected(() => releaseLock(redis, group, "me"), "group", shown);
    await expectRejected(() => extendLock(redis, group, "me", "1s"), "group", shown);
    await expectRejected(() => acquireFencedLock(redis, group, "me", "1s"), "group", shown);
    await expectRejected(() => withLock(redis, group, async () => 1), "group", shown);
  });

  test.each(["}x", "x{}", "{tag}"])("prefix %s", async (prefix) => {
    const shown = JSON.stringify(prefix);
    await expectRejected(() => acquireLock(redis, "jobs", "me", "1s", { prefix }), "options.prefix", shown);
    await expectRejected(() => releaseLock(redis, "jobs", "me", { prefix }), "options.prefix", shown);
    await expectRejected(() => withLock(redis, "jobs", async () => 1, { prefix }), "options.prefix", shown);
  });

  test("a message says what to pass instead", async () => {
    const error = await acquireLock(redis, "x{}", "me", "1s").catch((e: unknown) => e);
    expect((error as Error).message).toContain("pass a name without braces");
  });
});

test("an owner is a value, not part of a key: braces in it are fine", async () => {
  expect(await acquireLock(redis, "braced-owner", "worker{1}", "10s")).toBe(true);
  expect(await redis.get("octo:lock:{braced-owner}")).toBe("worker{1}");
  expect(await releaseLock(redis, "braced-owner", "worker{1}")).toBe(true);
});

test("fractional durations are rounded up to whole milliseconds before they reach Redis", async () => {
  expect(await acquireLock(redis, "fraction", "me", 1000.5)).toBe(true);
  const pttl = await redis.pttl("octo:lock:{fraction}");
  expect(pttl).toBeGreaterThan(0);
  expect(pttl).toBeLessThanOrEqual(1001);
  expect(await extendLock(redis, "fraction", "me", "12.0005s")).toBe(true);
  expect(await redis.pttl("octo:lock:{fraction}")).toBeGreaterThan(1001);
  expect(await redis.pttl("octo:lock:{fraction}")).toBeLessThanOrEqual(12_001);
  const lock = await acquireFencedLock(redis, "fraction-fenced", "me", 1000.2);
  expect(lock).not.toBeNull();
  expect(await lock!.extend(2500.01)).toBe(true);
  expect(await redis.pttl("octo:lock:{fraction-fenced}")).toBeLessThanOrEqual(2501);
  await lock!.release();
  await releaseLock(redis, "fraction", "me");
});

test("withLock refuses bad timing options and a non-function", async () => {
  await expectRejected(
    () => withLock(redis, "jobs", async () => 1, { period: "1s", renewEvery: "1s" }),
    "options.renewEvery",
    '"1s"',
  );
  await expectRejected(
    () => withLock(redis, "jobs", async () => 1, { waitFor: -1 }),
    "options.waitFor",
    "-1",
  );
  await expectRejected(
    () => withLock(redis, "jobs", async () => 1, { retryDelay: "soon" }),
    "options.retryDelay",
    '"soon"',
  );
  await expectRejected(() => withLock(redis, "jobs", "run" as never), "fn", '"run"');
});

test("withLock refuses a bad safetyMargin, and one that leaves no room for a renewal", async () => {
  await expectRejected(
    () => withLock(redis, "jobs", async () => 1, { safetyMargin: -1 }),
    "options.safetyMargin",
    "-1",
  );
  await expectRejected(
    () => withLock(redis, "jobs", async () => 1, { safetyMargin: "soon" }),
    "options.safetyMargin",
    '"soon"',
  );
  await expectRejected(
    () =>
      withLock(redis, "jobs", async () => 1, { period: "1s", renewEvery: "500ms", safetyMargin: "500ms" }),
    "options.safetyMargin",
    '"500ms"',
  );
  // With the default margin (1 % + 2 ms) a 3 ms period leaves no room for the 1 ms renewal.
  await expectRejected(() => withLock(redis, "jobs", async () => 1, { period: 3 }), "options.period", "3");
});

describe("a duration that drives a Node.js timer is refused above 2^31-1 ms, where Node would fire it at once", () => {
  const tooLong = 2 ** 31;
  test("withLock period", async () => {
    await expectRejected(
      () => withLock(redis, "jobs", async () => 1, { period: tooLong }),
      "options.period",
      String(tooLong),
    );
    const error = await withLock(redis, "jobs", async () => 1, { period: "25d" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toContain("at most 2147483647 ms");
  });
  test("withLock retryDelay, and a renewEvery that needs a period above the limit", async () => {
    await expectRejected(
      () => withLock(redis, "jobs", async () => 1, { retryDelay: tooLong }),
      "options.retryDelay",
      String(tooLong),
    );
    await expectRejected(
      () => withLock(redis, "jobs", async () => 1, { period: tooLong * 2, renewEvery: tooLong }),
      "options.period",
      String(tooLong * 2),
    );
  });
  test("a withLock period of exactly 2^31-1 ms holds the lock and its signal stays quiet", async () => {
    const outcome = await withLock(
      redis,
      "longest-period",
      async (signal) => {
        // The bug this guards against reported the lock lost 1 ms after it was taken.
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(await redis.pttl("octo:lock:{longest-period}")).toBeGreaterThan(2 ** 31 - 10_000);
        return signal.aborted;
      },
      { period: 2 ** 31 - 1 },
    );
    expect(outcome).toEqual({ acquired: true, result: false, lockLost: undefined });
  });
  test("acquireLock's period drives no timer: a year is fine", async () => {
    expect(await acquireLock(redis, "a-year", "me", "365d")).toBe(true);
    expect(await redis.pttl("octo:lock:{a-year}")).toBeGreaterThan(2 ** 31);
    expect(await releaseLock(redis, "a-year", "me")).toBe(true);
  });
});

test("a fenced lock's extend refuses a bad period without touching the lock", async () => {
  const lock = await acquireFencedLock(redis, "fenced", "me", "1h");
  expect(lock).not.toBeNull();
  await expectRejected(() => lock!.extend("later"), "period", '"later"');
  await lock!.release();
});
