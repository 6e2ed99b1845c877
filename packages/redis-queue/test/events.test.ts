import { type QueueEvents, RedisQueue } from "@octo/redis-queue";
import { recordingLogger } from "@octo/testing";
import { describe, expect, it } from "vitest";
import { leaveDeadTake, pendingIds, setStoredValue, storedValue, useRedis } from "./support";

const env = useRedis();

/** Every payload of `names` the queue emits, in order, as [name, payload]. */
function record(queue: RedisQueue<string>, names: (keyof QueueEvents)[]) {
  const seen: [string, unknown][] = [];
  for (const name of names) queue.on(name, (e) => seen.push([name, e]));
  return seen;
}

describe("queue events", () => {
  it("item:processed carries the id, the attempt and how long the handler ran", async () => {
    const queue = new RedisQueue<string>("ev-ok", env.redis);
    const seen = record(queue, ["item:processed", "item:failed"]);
    await queue.add("a");
    const ids: string[] = [];
    await queue.work(
      async (_item, { id }) => {
        ids.push(id);
        await new Promise((resolve) => setTimeout(resolve, 30));
      },
      { drainGraceMs: 0 },
    );
    expect(seen).toEqual([
      ["item:processed", { queue: "ev-ok", id: ids[0], attempt: 1, durationMs: expect.any(Number) }],
    ]);
    expect((seen[0] as [string, { durationMs: number }])[1].durationMs).toBeGreaterThanOrEqual(25);
  });

  it("item:failed with the retry wait fail.lua scheduled, then item:dead-lettered when retries are used up", async () => {
    const queue = new RedisQueue<string>("ev-fail", env.redis, { retries: 1, timeout: 40 });
    const seen = record(queue, ["item:processed", "item:failed", "item:dead-lettered"]);
    await queue.add("a");
    const [id] = await pendingIds(env.redis, "ev-fail");
    await queue.work(
      async () => {
        throw "no luck";
      },
      { drainGraceMs: 0 },
    );
    expect(seen).toEqual([
      ["item:failed", { queue: "ev-fail", id, attempt: 1, error: "no luck", retryInMs: 40 }],
      ["item:dead-lettered", { queue: "ev-fail", id, attempts: 2, error: "no luck", reason: "failed" }],
    ]);
  });

  it("the retry wait follows the backoff options (fixed, capped) as the stored due time does", async () => {
    const queue = new RedisQueue<string>("ev-backoff", env.redis, {
      retries: 5,
      backoff: { type: "exponential", delay: 1000, max: 1500 },
    });
    const waits: number[] = [];
    const stop = new AbortController();
    queue.on("item:failed", (e) => {
      waits.push(e.retryInMs);
      stop.abort();
    });
    await queue.add("a");
    const [id] = (await pendingIds(env.redis, "ev-backoff")) as [string];
    // Its third attempt: 1000 × 2^2 = 4000 ms, capped at 1500.
    const value = (await storedValue(env.redis, "ev-backoff", id)) as string;
    await setStoredValue(env.redis, "ev-backoff", id, value.replace(/^0\|/, "2|"));
    await queue.work(
      async () => {
        throw new Error("fails");
      },
      { signal: stop.signal },
    );
    expect(waits).toEqual([1500]);
    const due = Number(await env.redis.zscore("octo:q:{ev-backoff}:delayed", id));
    const [seconds, micros] = await env.redis.time();
    const left = due - (Number(seconds) * 1000 + Number(micros) / 1000);
    expect(left).toBeGreaterThan(500);
    expect(left).toBeLessThanOrEqual(1500);
  });

  it("item:dead-lettered with reason undecodable for data the codec cannot read", async () => {
    const queue = new RedisQueue<string>("ev-bad", env.redis, {
      codec: {
        encode: (item) => item,
        decode: (text) => {
          if (text === "garbled") throw new Error("cannot read");
          return text;
        },
      },
    });
    const seen = record(queue, ["item:processed", "item:dead-lettered"]);
    await queue.add("garbled");
    const [id] = await pendingIds(env.redis, "ev-bad");
    await queue.work(async () => {}, { drainGraceMs: 0 });
    expect(seen).toEqual([
      [
        "item:dead-lettered",
        { queue: "ev-bad", id, attempts: 1, error: "decode error: cannot read", reason: "undecodable" },
      ],
    ]);
  });

  it("item:stalled once, by the taker of an item whose running lease ran out", async () => {
    const queue = new RedisQueue<string>("ev-stall", env.redis, { maxStalls: 3 });
    const seen = record(queue, ["item:stalled", "item:processed"]);
    await queue.add("a");
    // A worker that took the item, said it runs, and died: its lease is due and marked running.
    const k = (name: string) => `octo:q:{ev-stall}:${name}`;
    const [id] = (await pendingIds(env.redis, "ev-stall")) as [string];
    await leaveDeadTake(env.redis, "ev-stall", "dead-worker.1", [id], true);
    await queue.work(async () => {}, { drainGraceMs: 0 });
    expect(seen).toEqual([
      ["item:stalled", { queue: "ev-stall", id, stalls: 1 }],
      ["item:processed", { queue: "ev-stall", id, attempt: 1, durationMs: expect.any(Number) }],
    ]);
    expect(await env.redis.hlen(k("lease"))).toBe(0);
  });

  it("a throwing and a rejecting listener are logged and change nothing; an unsubscribed one is not called", async () => {
    const logger = recordingLogger();
    const queue = new RedisQueue<string>("ev-bad-listener", env.redis, { logger });
    queue.on("item:processed", () => {
      throw new Error("listener broke");
    });
    queue.on("item:processed", async () => {
      throw 7;
    });
    const unsubscribe = queue.on("item:processed", () => {
      throw new Error("unsubscribed listener was called");
    });
    unsubscribe();
    const ids: string[] = [];
    queue.on("item:processed", (e) => ids.push(e.id));
    await queue.add(["a", "b"]);
    const result = await queue.work(async () => {}, { drainGraceMs: 0 });
    expect(result).toEqual({ processed: 2, failed: 0, deadLettered: 0 });
    expect(ids).toHaveLength(2);
    expect(await queue.stats()).toMatchObject({ pending: 0, inFlight: 0, dead: 0 });
    const failures = logger.lines.filter((l) => l.level === "error").map((l) => JSON.stringify(l.args[0]));
    expect(failures.sort()).toEqual([
      '{"event":"item:processed","err":"7"}',
      '{"event":"item:processed","err":"7"}',
      '{"event":"item:processed","err":"listener broke"}',
      '{"event":"item:processed","err":"listener broke"}',
    ]);
  });

  it("refuses an unknown event name and a listener that is not a function", () => {
    const queue = new RedisQueue<string>("ev-names", env.redis);
    expect(() => queue.on("item:done" as "item:processed", () => {})).toThrow(
      expect.objectContaining({
        code: "ERR_OCTO_INVALID_ARGUMENT",
        message: expect.stringMatching(/"item:done"/),
      }),
    );
    expect(() => queue.on("item:failed", undefined as never)).toThrow(/listener undefined/);
  });
});
