import { InvalidArgumentError, RedisQueue } from "@octo/redis-queue";
import { waitUntil } from "@octo/testing";
import { describe, expect, it } from "vitest";
import { pendingIds, setStoredValue, storedValue, useRedis } from "./support";

const env = useRedis();

/** Redis time in ms: the clock retry times are computed with. */
async function redisNow(): Promise<number> {
  const [seconds, micros] = await env.redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/**
 * Fails every item once with attempt `attempt` (after `attempt - 1` earlier failures written
 * into its header) and returns, per item, its retry due time minus the Redis time bracket of the
 * failure: [earliest possible wait, latest possible wait].
 *
 * A jittered wait may be a few ms, and the worker takes an item again once it is due: the due
 * times are read in one ZRANGE at a moment when every item is waiting, and each is paired with
 * the item's last failure before it (a later one comes after that due time).
 */
async function waitsAfterFailure(
  queue: RedisQueue<number>,
  name: string,
  items: number,
  attempt: number,
): Promise<[number, number][]> {
  await queue.fill(Array.from({ length: items }, (_, n) => n));
  for (const id of await pendingIds(env.redis, name)) {
    const value = (await storedValue(env.redis, name, id)) as string;
    await setStoredValue(env.redis, name, id, value.replace(/^0\|/, `${attempt - 1}|`));
  }
  const failures = new Map<string, number[]>();
  const stop = new AbortController();
  const working = queue.work(
    async (_item, { id }) => {
      const at = await redisNow();
      failures.set(id, [...(failures.get(id) ?? []), at]);
      throw new Error("fails");
    },
    { parallelism: 10, drainGraceMs: Number.POSITIVE_INFINITY, signal: stop.signal },
  );
  let scored: string[] = [];
  await waitUntil(
    "every item waiting to retry",
    async () => {
      scored = await env.redis.zrange(`octo:q:{${name}}:delayed`, "0", "-1", "WITHSCORES");
      return scored.length === 2 * items;
    },
    20_000,
  );
  const after = await redisNow();
  stop.abort();
  await working;
  const waits: [number, number][] = [];
  for (let i = 0; i < scored.length; i += 2) {
    const due = Number(scored[i + 1]);
    const before = (failures.get(scored[i] as string) ?? []).filter((at) => at <= due);
    expect(before.length, `a failure of item ${scored[i]} before its due time`).toBeGreaterThan(0);
    waits.push([due - after, due - Math.max(...before)]);
  }
  expect(waits).toHaveLength(items);
  return waits;
}

describe("backoff", () => {
  it("exponential with a cap and full jitter: every wait from 0 to the capped wait, and spread", async () => {
    // Attempt 4 uncapped would wait 1000 × 2^3 = 8000 ms; the cap is 3000 ms.
    const queue = new RedisQueue<number>("jittered", env.redis, {
      retries: 10,
      backoff: { type: "exponential", delay: 1000, max: "3s", jitter: true },
    });
    const waits = await waitsAfterFailure(queue, "jittered", 60, 4);
    for (const [earliest, latest] of waits) {
      expect(earliest).toBeLessThanOrEqual(3000);
      expect(latest).toBeGreaterThanOrEqual(0);
    }
    // Full jitter, not a fixed wait: the waits spread over the range (60 uniform draws).
    const lows = waits.filter(([, latest]) => latest < 1000).length;
    const highs = waits.filter(([earliest]) => earliest > 2000).length;
    expect(lows).toBeGreaterThan(0);
    expect(highs).toBeGreaterThan(0);
  });

  it("exponential with a cap and no jitter waits exactly the capped time", async () => {
    const queue = new RedisQueue<number>("capped", env.redis, {
      retries: 10,
      backoff: { type: "exponential", delay: 1000, max: 3000 },
    });
    for (const [earliest, latest] of await waitsAfterFailure(queue, "capped", 10, 4)) {
      expect(latest).toBeGreaterThanOrEqual(3000);
      expect(earliest).toBeLessThanOrEqual(3000);
    }
  });

  it("fixed waits its delay whatever the attempt", async () => {
    const queue = new RedisQueue<number>("fixed", env.redis, {
      retries: 10,
      backoff: { type: "fixed", delay: "2s" },
    });
    for (const [earliest, latest] of await waitsAfterFailure(queue, "fixed", 10, 5)) {
      expect(latest).toBeGreaterThanOrEqual(2000);
      expect(earliest).toBeLessThanOrEqual(2000);
    }
  });

  it("without backoff keeps the default: timeout, doubling per failure", async () => {
    const queue = new RedisQueue<number>("default", env.redis, { retries: 10, timeout: 500 });
    for (const [earliest, latest] of await waitsAfterFailure(queue, "default", 5, 3)) {
      expect(latest).toBeGreaterThanOrEqual(2000);
      expect(earliest).toBeLessThanOrEqual(2000);
    }
  });

  it.each([
    ["options.backoff", "fast", '"fast"'],
    ["options.backoff.type", { type: "linear", delay: 10 }, '"linear"'],
    ["options.backoff.delay", { type: "fixed", delay: "soon" }, '"soon"'],
    ["options.backoff.delay", { type: "fixed", delay: 0 }, "0"],
    ["options.backoff.max", { type: "exponential", delay: "1s", max: "10ms" }, '"10ms"'],
    ["options.backoff.max", { type: "exponential", delay: "1s", max: -1 }, "-1"],
    ["options.backoff.jitter", { type: "fixed", delay: 10, jitter: "yes" }, '"yes"'],
  ])("refuses %s %j naming the value", (argument, backoff, mentions) => {
    let error: unknown;
    try {
      new RedisQueue("bad-backoff", env.redis, { backoff: backoff as never });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    expect((error as Error).message).toContain(mentions);
  });
});
