import { InvalidArgumentError, RedisQueue } from "@octo/redis-queue";
import { describe, expect, it } from "vitest";
import { useRedis } from "./support";

const env = useRedis();
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** The error `make` throws, or a failure when it throws nothing. */
function thrown(make: () => unknown): InvalidArgumentError {
  try {
    make();
  } catch (error) {
    return error as InvalidArgumentError;
  }
  throw new Error("expected an InvalidArgumentError, nothing was thrown");
}

describe("durations", () => {
  it("rounds a fractional leaseTime up to whole ms, and its items drain with every ack accepted", async () => {
    const queue = new RedisQueue<number>("fractional", env.redis, { leaseTime: 1000.5 });
    await queue.fill([1, 2, 3]);
    const handled: number[] = [];
    // Bounded: with a refused ack the items would be taken again and again, never draining.
    const result = await queue.work(async (n) => void handled.push(n), {
      drainGraceMs: 100,
      signal: AbortSignal.timeout(15_000),
    });
    expect(handled).toEqual([1, 2, 3]);
    expect(result.processed).toBe(3);
    expect(await queue.stats()).toEqual({
      pending: 0,
      inFlight: 0,
      delayed: 0,
      dead: 0,
      oldestPendingAgeMs: null,
    });
    expect(queue.leaseMs).toBe(1001);
  });

  it('accepts leaseTime "12.0005s" as 12001 ms: fill and work run without a Redis error', async () => {
    const queue = new RedisQueue<number>("fractional-string", env.redis, { leaseTime: "12.0005s" });
    expect(await queue.fill([1, 2])).toBe(true);
    const result = await queue.work(async () => {}, {
      drainGraceMs: 100,
      signal: AbortSignal.timeout(15_000),
    });
    expect(result.processed).toBe(2);
    expect(await queue.stats()).toEqual({
      pending: 0,
      inFlight: 0,
      delayed: 0,
      dead: 0,
      oldestPendingAgeMs: null,
    });
    expect(queue.leaseMs).toBe(12_001);
  });

  it("rounds a fractional timeout up too", () => {
    expect(new RedisQueue("t", env.redis, { timeout: 0.2 }).timeoutMs).toBe(1);
    expect(new RedisQueue("t", env.redis, 3, "1.5ms").timeoutMs).toBe(2);
  });

  it("refuses empty, unknown and non-positive durations with InvalidArgumentError naming the option", () => {
    for (const [options, argument] of [
      [{ timeout: "" }, "options.timeout"],
      [{ leaseTime: "" }, "options.leaseTime"],
      [{ leaseTime: "   " }, "options.leaseTime"],
      [{ leaseTime: "soon" }, "options.leaseTime"],
      [{ timeout: 0 }, "options.timeout"],
      [{ leaseTime: Number.NaN }, "options.leaseTime"],
      [{ leaseTime: Number.POSITIVE_INFINITY }, "options.leaseTime"],
    ] as const) {
      const error = thrown(() => new RedisQueue("q", env.redis, options));
      expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidArgumentError);
      expect(error.code).toBe("ERR_OCTO_INVALID_ARGUMENT");
      expect(error.argument).toBe(argument);
    }
  });
});

describe("leaseTime limit", () => {
  it("accepts a leaseTime longer than a Node.js timer can wait: the worker renews and watches it in steps", () => {
    expect(new RedisQueue("q", env.redis, { leaseTime: 4 * MAX_TIMER_DELAY_MS }).leaseMs).toBe(
      4 * MAX_TIMER_DELAY_MS,
    );
    expect(new RedisQueue("q", env.redis, { leaseTime: "1y" }).leaseMs).toBe(31_557_600_000);
  });
});

describe("names", () => {
  it("refuses queue names and prefixes with braces, before anything is written", async () => {
    for (const [name, prefix, argument] of [
      ["}x", undefined, "name"],
      ["x{}", undefined, "name"],
      ["{orders}", undefined, "name"],
      ["orders", "{tag}", "options.prefix"],
      ["orders", "a}b", "options.prefix"],
    ] as const) {
      const error = thrown(() => new RedisQueue(name, env.redis, { prefix }));
      expect(error, `${name} ${prefix}`).toBeInstanceOf(InvalidArgumentError);
      expect(error.argument).toBe(argument);
      expect(error.message).toMatch(/"\{" or "\}"/);
    }
    expect(await env.redis.keys("*")).toEqual([]);
  });

  it("refuses a codec without encode and decode, and a logger without its methods", () => {
    expect(thrown(() => new RedisQueue("q", env.redis, { codec: {} as never })).argument).toBe(
      "options.codec",
    );
    expect(thrown(() => new RedisQueue("q", env.redis, { logger: "console" as never })).argument).toBe(
      "options.logger",
    );
  });

  it("refuses an empty prefix and a client that is not ioredis", () => {
    expect(thrown(() => new RedisQueue("q", env.redis, { prefix: "" })).argument).toBe("options.prefix");
    expect(thrown(() => new RedisQueue("q", {} as never)).argument).toBe("redis");
  });

  it("keeps every key of a queue in one hash tag under its prefix", async () => {
    const queue = new RedisQueue<number>("tagged", env.redis, { prefix: "billing" });
    await queue.fill([1]);
    await queue.add(2, { key: "two", delay: 60_000 });
    expect((await env.redis.keys("*")).filter((key) => !key.includes(":added:")).sort()).toEqual([
      "billing:q:{tagged}:dedup",
      "billing:q:{tagged}:delayed",
      "billing:q:{tagged}:items",
      "billing:q:{tagged}:keyof",
      "billing:q:{tagged}:pending",
      "billing:q:{tagged}:seq",
    ]);
    expect(await env.redis.keys("billing:q:{tagged}:added:*")).toHaveLength(1);
  });
});
