import { InvalidArgumentError, RedisQueue, UnencodableItemError } from "@octo/redis-queue";
import { type NodeProcess, startNodeProcess, waitUntil } from "@octo/testing";
import { describe, expect, it } from "vitest";
import { ADD_LANES, scriptArgs } from "../src/add-sender";
import {
  expireLease,
  inFlightIds,
  pendingIds,
  pendingValues,
  runsScriptFile,
  useProxy,
  useRedis,
} from "./support";

const env = useRedis();
const workerFixture = new URL("./fixtures/standalone-worker.ts", import.meta.url).pathname;
const adderFixture = new URL("./fixtures/key-adder.ts", import.meta.url).pathname;

/** How many times each number appears after `word` in a process's output. */
function tally(outputs: string[], word: string): Map<number, number> {
  const seen = new Map<number, number>();
  for (const output of outputs) {
    for (const m of output.matchAll(new RegExp(`^${word} (\\d+)$`, "gm"))) {
      const n = Number(m[1]);
      seen.set(n, (seen.get(n) ?? 0) + 1);
    }
  }
  return seen;
}

async function stopAll(processes: NodeProcess[]): Promise<void> {
  for (const p of processes) p.kill("SIGTERM");
  await Promise.all(processes.map((p) => p.exited));
}

describe("add() while workers run", () => {
  it("hands every item added while 3 worker processes run to exactly one handler", async () => {
    const queue = new RedisQueue<number>("live", env.redis, { batchSize: 7 });
    const workers = Array.from({ length: 3 }, () =>
      startNodeProcess(workerFixture, { env: { REDIS_URL: env.server.url, QUEUE: "live" } }),
    );
    try {
      await Promise.all(workers.map((w) => w.waitFor(/^ready$/m, 30_000)));
      let next = 0;
      for (let call = 0; call < 30; call++) {
        // Single items and arrays larger than batchSize, while the workers are busy.
        const size = call % 3 === 0 ? 1 : 20;
        const items = Array.from({ length: size }, () => next++);
        const result = await queue.add(size === 1 ? (items[0] as number) : items);
        expect(result).toEqual({ added: size, skipped: 0 });
        if (call % 5 === 0) await new Promise((r) => setTimeout(r, 30));
      }
      await waitUntil(
        "every added item handled",
        () =>
          tally(
            workers.map((w) => w.output()),
            "done",
          ).size === next,
        60_000,
      );
      await waitUntil(
        "the queue empty",
        async () => {
          const stats = await queue.stats();
          return stats.pending + stats.inFlight === 0;
        },
        10_000,
      );
      const done = tally(
        workers.map((w) => w.output()),
        "done",
      );
      expect([...done.values()].every((times) => times === 1)).toBe(true);
      expect([...done.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: next }, (_, i) => i));
      // More than one process took part: the items were shared, not drained by whoever started first.
      expect(workers.filter((w) => /^done /m.test(w.output())).length).toBeGreaterThan(1);
    } finally {
      await stopAll(workers);
    }
  });

  it("wakes an idle worker at once through the wake-up channel", async () => {
    const queue = new RedisQueue<number>("wake", env.redis);
    const subscriber = env.server.client();
    const messages: string[] = [];
    subscriber.on("message", (_channel, message) => messages.push(message));
    await subscriber.subscribe(queue.wakeChannel);
    await queue.add([1, 2, 3]);
    await queue.add(4, { delay: "1h" });
    await waitUntil("a wake-up", () => messages.length > 0, 5_000);
    expect(messages).toEqual(["3"]);
    subscriber.disconnect();
  });
});

describe("add() with a delay", () => {
  it("does not hand a delayed item out before its delay and hands it out within 1 s after", async () => {
    const queue = new RedisQueue<string>("later", env.redis);
    const stop = new AbortController();
    let handledAt = 0;
    const working = queue.work(
      async () => {
        handledAt = Date.now();
      },
      { drainGraceMs: Number.POSITIVE_INFINITY, signal: stop.signal },
    );
    const before = Date.now();
    expect(await queue.add("later", { delay: "1500ms" })).toEqual({ added: 1, skipped: 0 });
    const after = Date.now();
    expect(await queue.stats()).toMatchObject({ pending: 0, delayed: 1 });
    await waitUntil("the delayed item handled", () => handledAt > 0, 10_000);
    stop.abort();
    await working;
    expect(handledAt - before).toBeGreaterThanOrEqual(1500);
    expect(handledAt - after).toBeLessThan(1500 + 1000);
  });

  it("adds with delay 0 (or none) straight to pending", async () => {
    const queue = new RedisQueue<number>("now", env.redis);
    await queue.add(1, { delay: 0 });
    await queue.add(2, { delay: "0ms" });
    expect(await queue.stats()).toMatchObject({ pending: 2, delayed: 0 });
  });
});

describe("add() with a de-duplication key", () => {
  it("lets exactly one of 20 concurrent adders (4 processes) add a key, and frees it after the ack", async () => {
    const queue = new RedisQueue<string>("dedup", env.redis);
    const adders = Array.from({ length: 4 }, () =>
      startNodeProcess(adderFixture, {
        env: { REDIS_URL: env.server.url, QUEUE: "dedup", KEY: "order-42", ADDERS: "5" },
      }),
    );
    await Promise.all(adders.map((a) => a.waitFor(/^ready$/m, 30_000)));
    await env.redis.set("go", "1");
    await Promise.all(adders.map((a) => a.exited));
    const results = adders.flatMap((a) => [...a.output().matchAll(/^result (\d) (\d)$/gm)]);
    expect(results).toHaveLength(20);
    expect(results.filter((m) => m[1] === "1")).toHaveLength(1);
    expect(results.filter((m) => m[2] === "1")).toHaveLength(19);
    expect(await queue.length()).toBe(1);

    // While the item is in flight the key is still taken; after its ack it is free.
    const handled: string[] = [];
    await queue.work(
      async (item) => {
        handled.push(item);
        expect(await queue.add("again", { key: "order-42" })).toEqual({ added: 0, skipped: 1 });
      },
      { drainGraceMs: 50 },
    );
    expect(handled).toHaveLength(1);
    // The ack removed the key's entries, not only the item.
    expect(await env.redis.hlen("octo:q:{dedup}:dedup")).toBe(0);
    expect(await env.redis.hlen("octo:q:{dedup}:keyof")).toBe(0);
    expect(await queue.add("again", { key: "order-42" })).toEqual({ added: 1, skipped: 0 });
  });

  it("skips a key that is delayed, and duplicates within one array", async () => {
    const queue = new RedisQueue<{ id: string }>("dedup-array", env.redis);
    expect(await queue.add({ id: "a" }, { key: "a", delay: "1h" })).toEqual({ added: 1, skipped: 0 });
    const items = [{ id: "a" }, { id: "b" }, { id: "b" }, { id: "c" }];
    expect(await queue.add(items, { key: (item) => item.id })).toEqual({ added: 2, skipped: 2 });
    expect(await queue.stats()).toMatchObject({ pending: 2, delayed: 1 });
  });

  it("frees a key when its item is dead-lettered", async () => {
    const queue = new RedisQueue<string>("dedup-dead", env.redis, { retries: 0 });
    await queue.add("x", { key: "k" });
    await queue.work(
      async () => {
        throw new Error("broken");
      },
      { drainGraceMs: 50 },
    );
    expect((await queue.stats()).dead).toBe(1);
    expect(await env.redis.hlen("octo:q:{dedup-dead}:dedup")).toBe(0);
    expect(await env.redis.hlen("octo:q:{dedup-dead}:keyof")).toBe(0);
    expect(await queue.add("y", { key: "k" })).toEqual({ added: 1, skipped: 0 });
  });
});

describe("de-duplication keys of items that cannot be decoded", () => {
  it("frees the key of an item moved to the dead letter as undecodable", async () => {
    const queue = new RedisQueue<number>("dedup-undecodable", env.redis);
    await queue.add(1, { key: "one" });
    const [id] = await env.redis.lrange("octo:q:{dedup-undecodable}:pending", 0, -1);
    await env.redis.hset("octo:q:{dedup-undecodable}:items", id as string, "0|0|{not json");
    const result = await queue.work(async () => {}, { drainGraceMs: 50 });
    expect(result.deadLettered).toBe(1);
    expect(await env.redis.hlen("octo:q:{dedup-undecodable}:dedup")).toBe(0);
    expect(await env.redis.hlen("octo:q:{dedup-undecodable}:keyof")).toBe(0);
  });
});

describe("de-duplication keys of items that stall", () => {
  it("frees the key of an item dead-lettered for stalling past maxStalls", async () => {
    const name = "dedup-stalled";
    const first = new RedisQueue<string>(name, env.redis, { maxStalls: 0 });
    const second = new RedisQueue<string>(name, env.server.client(), { maxStalls: 0 });
    await first.add("x", { key: "k" });
    let secondWork: Promise<unknown> | undefined;
    await first.work(
      async () => {
        // Its lease runs out while it runs (as if its worker hung): the next take counts a stall.
        const [id] = await inFlightIds(env.redis, name);
        await expireLease(env.redis, name, id as string);
        secondWork = second.work(async () => {}, { drainGraceMs: 0 });
        await waitUntil(
          "the stalled item dead-lettered",
          async () => (await first.stats()).dead === 1,
          10_000,
        );
      },
      { drainGraceMs: 0 },
    );
    await secondWork;
    expect((await first.deadLetters()).items[0]?.error).toMatch(/stalled/);
    expect(await env.redis.hlen(`octo:q:{${name}}:dedup`)).toBe(0);
    expect(await env.redis.hlen(`octo:q:{${name}}:keyof`)).toBe(0);
    expect(await first.add("y", { key: "k" })).toEqual({ added: 1, skipped: 0 });
  });
});

describe("add() under a lost reply", () => {
  const lossy = useProxy(env);
  const { throughProxy } = lossy;
  /** Loses the reply of the next add on queue `name` (matched on its keys, EVAL or EVALSHA). */
  function loseAddReply(name: string): Promise<string> {
    return lossy.proxy.loseNextReply(runsScriptFile("add", `octo:q:{${name}}:dedup`));
  }

  it("adds an array once and answers the first run's counts when the call is re-sent", async () => {
    const queue = new RedisQueue<number>("resend-add", throughProxy());
    const cut = loseAddReply("resend-add");
    expect(await queue.add([1, 2, 3])).toEqual({ added: 3, skipped: 0 });
    await cut;
    expect(await pendingValues(env.redis, "resend-add")).toEqual(["0|0|1", "0|0|2", "0|0|3"]);
    expect(new Set(await pendingIds(env.redis, "resend-add")).size).toBe(3);
  });

  it("writes once and answers each of two adds in flight on two lanes when the connection is cut", async () => {
    const queue = new RedisQueue<number>("resend-lanes", throughProxy());
    await queue.add(0);
    const cut = loseAddReply("resend-lanes");
    // Made in one turn, the two adds go out on two lanes, one turn apart, both in flight at the
    // cut; ioredis sends both again, and each lane's answer key recognises its own call.
    const [first, second] = await Promise.all([
      queue.add([1, 2]),
      queue.add([3, 4, 5], { key: (n) => `k${n}` }),
    ]);
    await cut;
    expect(first).toEqual({ added: 2, skipped: 0 });
    expect(second).toEqual({ added: 3, skipped: 0 });
    expect((await env.redis.lrange("octo:q:{resend-lanes}:pending", 0, -1)).length).toBe(6);
    expect(await env.redis.keys("octo:q:{resend-lanes}:added:*")).toHaveLength(2);
  });

  it("answers added, not skipped, for a keyed add whose reply was lost", async () => {
    const queue = new RedisQueue<number>("resend-key", throughProxy());
    const cut = loseAddReply("resend-key");
    expect(await queue.add(7, { key: "seven" })).toEqual({ added: 1, skipped: 0 });
    await cut;
    expect(await queue.length()).toBe(1);
  });
});

describe("add() from many callers at once", () => {
  /** Scripts Redis has run so far (EVAL and EVALSHA), from INFO commandstats. */
  async function scriptCalls(): Promise<number> {
    const info = await env.redis.info("commandstats");
    let calls = 0;
    for (const m of info.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)/gm)) calls += Number(m[1]);
    return calls;
  }

  it("sends concurrent adds together, answers each caller for its own items, and keeps one small key per lane", async () => {
    const queue = new RedisQueue<number>("answers", env.redis, { batchSize: 50 });
    await queue.add(-1);
    const before = await scriptCalls();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, n) =>
        queue.add(n, n % 10 === 0 ? { key: "shared" } : { key: `k${n}` }),
      ),
    );
    const calls = (await scriptCalls()) - before;
    // Single adds share round trips: far fewer script calls than adds, at most batchSize items each.
    expect(calls).toBeLessThan(100);
    expect(calls).toBeGreaterThanOrEqual(1000 / 50);
    expect(results.filter((r) => r.added === 1)).toHaveLength(1000 - 99);
    expect(results[0]).toEqual({ added: 1, skipped: 0 });
    expect(
      results
        .slice(1)
        .filter((_, i) => (i + 1) % 10 === 0)
        .every((r) => r.skipped === 1),
    ).toBe(true);
    expect(await queue.length()).toBe(1 + 1000 - 99);
    // One small answer key per lane of the process's one sender.
    const keys = await env.redis.keys("octo:q:{answers}:added:*");
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(keys.length).toBeLessThanOrEqual(ADD_LANES);
    expect(new Set(keys.map((key) => key.replace(/:\d+$/, "")))).toHaveLength(1);
    for (const key of keys) {
      expect(await env.redis.type(key)).toBe("string");
      expect(await env.redis.pttl(key)).toBeGreaterThan(60_000);
    }
  });
});

describe("add() calls made in one turn with different options", () => {
  const unit = (delay: number, keyed: boolean, values: string[]) => ({
    delay,
    keyed,
    values,
    count: keyed ? values.length / 2 : values.length,
    batchSize: 100,
  });

  it("go to Redis as one group per run of the same delay and keyed-ness", () => {
    expect(
      scriptArgs([
        unit(0, false, ["a"]),
        unit(0, false, ["b", "c"]),
        unit(5, false, ["d"]),
        unit(5, true, ["k", "e"]),
        unit(5, true, ["l", "f"]),
        unit(0, false, ["g"]),
      ]),
    ).toEqual([0, 3, 0, "a", "b", "c", 5, 1, 0, "d", 5, 2, 1, "k", "e", "l", "f", 0, 1, 0, "g"]);
  });

  it("each land where their options say and answer their own callers", async () => {
    const queue = new RedisQueue<number>("mixed", env.redis);
    const later = { delay: 60_000 };
    // Keyed and unkeyed adds alternate with the same delay, so whichever lanes they share, a run
    // holds both kinds and must not become one group.
    const results = await Promise.all([
      queue.add(1),
      queue.add(2, { key: "a" }),
      queue.add(3),
      queue.add(4, { key: "a" }),
      queue.add(5, later),
      queue.add([6, 7]),
      queue.add([8, 9], { key: (n) => `n${n}` }),
      queue.add(10, later),
    ]);
    expect(results.map((r) => `${r.added}/${r.skipped}`)).toEqual([
      "1/0",
      "1/0",
      "1/0",
      "0/1",
      "1/0",
      "2/0",
      "2/0",
      "1/0",
    ]);
    const payload = (value: string | null) => Number(String(value).split("|")[2]);
    expect((await pendingValues(env.redis, "mixed")).map(payload)).toEqual([1, 2, 3, 6, 7, 8, 9]);
    const delayed = await env.redis.zrange("octo:q:{mixed}:delayed", "0", "-1");
    expect((await env.redis.hmget("octo:q:{mixed}:items", ...delayed)).map(payload)).toEqual([5, 10]);
  });
});

describe("add() order", () => {
  it("puts one process's adds in pending in the order they were made, across lanes and turns", async () => {
    const queue = new RedisQueue<number>("order", env.redis, { batchSize: 7 });
    // Adds made in bursts across event-loop turns, so calls go out on several lanes while others are
    // in flight, in calls of up to 7 items.
    const sent: Promise<unknown>[] = [];
    let n = 0;
    for (let burst = 0; burst < 40; burst++) {
      for (let i = 0; i < 5; i++) sent.push(queue.add(n++));
      sent.push(queue.add([n++, n++, n++]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(sent);
    const payloads = await pendingValues(env.redis, "order");
    expect(payloads.map((p) => Number(JSON.parse(String(p).split("|")[2] as string)))).toEqual(
      Array.from({ length: n }, (_, i) => i),
    );
  });
});

describe("add() from producers that each wait for their last add", () => {
  it("sends the adds of 10 looping producers a few to a call over the lanes, not one by one", async () => {
    const queue = new RedisQueue<number>("loops", env.redis);
    await queue.add(-1);
    const info = async () => {
      const text = await env.redis.info("commandstats");
      return Number(/^cmdstat_evalsha:calls=(\d+)/m.exec(text)?.[1] ?? 0);
    };
    const before = await info();
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < 1000) await queue.add(next++);
      }),
    );
    const calls = (await info()) - before;
    // The callers a call answered add again in the same event-loop turn and go together at its
    // end, shared among the free lanes: about 3 a call over the four lanes (about 350 calls).
    // Sent at once, without waiting for the end of the turn, most calls would carry one or two.
    expect(calls).toBeLessThanOrEqual(450);
    expect(await queue.length()).toBe(1001);
  });
});

describe("add() input", () => {
  it.each([
    ["options.delay", { delay: "soon" }, '"soon"'],
    ["options.delay", { delay: -5 }, "-5"],
    ["options.delay", { delay: Number.NaN }, "NaN"],
    ["options.delay", { delay: 1e15 }, "1000000000000000"],
    ["options.key", { key: 42 }, "42"],
    ["options.key", { key: "" }, '""'],
  ])("refuses %s %j before writing anything", async (argument, options, mentions) => {
    const queue = new RedisQueue<number>("bad-add", env.redis);
    const error = await queue.add(1, options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    expect((error as Error).message).toContain(mentions);
    expect(await env.redis.keys("*")).toEqual([]);
  });

  it("refuses a string key for an array, a key function that returns no string, and options that are not an object", async () => {
    const queue = new RedisQueue<number>("bad-add", env.redis);
    await expect(queue.add([1, 2], { key: "one" })).rejects.toThrow(/options.key "one".*function/);
    await expect(queue.add([1, 2], { key: (n) => (n === 2 ? (undefined as never) : "k") })).rejects.toThrow(
      /options.key\(item 1\) undefined/,
    );
    await expect(queue.add([1, 2], "fast" as never)).rejects.toThrow(/options "fast"/);
    await expect(queue.add(Number.NaN)).rejects.toBeInstanceOf(UnencodableItemError);
    expect(await env.redis.keys("*")).toEqual([]);
  });
});

describe("stats().oldestPendingAgeMs", () => {
  it("is how long the head of pending has waited, and null when nothing is pending", async () => {
    const queue = new RedisQueue<number>("age", env.redis);
    expect((await queue.stats()).oldestPendingAgeMs).toBeNull();
    const before = Date.now();
    await queue.add(1);
    await new Promise((r) => setTimeout(r, 300));
    await queue.add(2);
    const age = (await queue.stats()).oldestPendingAgeMs as number;
    expect(age).toBeGreaterThanOrEqual(300);
    expect(age).toBeLessThanOrEqual(Date.now() - before);
  });
});
