import { RedisQueue } from "@octo/redis-queue";
import { startNodeProcess, waitUntil } from "@octo/testing";
import { describe, expect, it } from "vitest";
import { pendingValues, sleep, useRedis } from "./support";

const env = useRedis();

describe("work() lifecycle", () => {
  it("keeps working while another instance's fill has not produced its first batch yet", async () => {
    const filler = new RedisQueue<number>("slow-fill", env.server.client());
    const worker = new RedisQueue<number>("slow-fill", env.redis);
    async function* slowQuery() {
      await sleep(1500);
      yield [1, 2, 3];
      await sleep(300);
      yield [4, 5];
    }
    const filling = filler.fill(slowQuery());
    await waitUntil(
      "the fill's marker",
      async () => (await env.redis.exists("octo:q:{slow-fill}:filling")) === 1,
    );
    const seen: number[] = [];
    // A grace far shorter than the query's first delay: only the filling marker keeps it going.
    const result = await worker.work(async (item) => void seen.push(item), { drainGraceMs: 100 });
    expect(await filling).toBe(true);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(result.processed).toBe(5);
    expect(await worker.stats()).toEqual({
      pending: 0,
      inFlight: 0,
      delayed: 0,
      dead: 0,
      oldestPendingAgeMs: null,
    });
  });

  it("on abort finishes the items in hand, takes no new ones, and leaves the rest pending", async () => {
    const total = 500;
    const queue = new RedisQueue<number>("stoppable", env.redis, { batchSize: 10 });
    await queue.fill(Array.from({ length: total }, (_, i) => i));
    const controller = new AbortController();
    const finished = new Set<number>();
    let startedAfterAbort = 0;
    await queue.work(
      async (item) => {
        if (controller.signal.aborted) startedAfterAbort++;
        await sleep(5);
        finished.add(item);
        if (finished.size === 25) controller.abort();
      },
      { parallelism: 2, signal: controller.signal },
    );
    const stats = await queue.stats();
    expect(stats.inFlight).toBe(0);
    expect(stats.dead).toBe(0);
    expect(startedAfterAbort).toBe(0);
    expect(finished.size + stats.pending).toBe(total);
    // Items taken ahead but never started went back to the head of pending, in their order.
    const unfinished = Array.from({ length: total }, (_, i) => i).filter((i) => !finished.has(i));
    const values = await pendingValues(env.redis, "stoppable");
    expect(values.map((v) => Number(v?.split("|")[2]))).toEqual(unfinished);
    expect(values.every((v) => v?.startsWith("0|0|"))).toBe(true);
  });

  it("an idle worker is woken by a fill instead of waiting out its poll, and closes its wake-up connection", async () => {
    const queue = new RedisQueue<number>("wake", env.redis);
    const channel = "octo:q:{wake}:wake";
    const subscribers = async () =>
      Number(((await env.redis.pubsub("NUMSUB", channel)) as [string, number])[1]);
    const controller = new AbortController();
    let handled: (() => void) | undefined;
    const working = queue.work(async () => handled?.(), {
      signal: controller.signal,
      drainGraceMs: Number.POSITIVE_INFINITY,
    });
    const lags: number[] = [];
    try {
      await waitUntil("the idle worker to subscribe", async () => (await subscribers()) === 1);
      for (let i = 0; i < 10; i++) {
        // Long enough for the worker's poll to back off to its slowest interval (200 ms).
        await sleep(400);
        const done = new Promise<void>((resolve) => {
          handled = resolve;
        });
        const start = performance.now();
        expect(await queue.fill([i])).toBe(true);
        await done;
        lags.push(performance.now() - start);
        await waitUntil("the ack", async () => (await queue.stats()).inFlight === 0, 30_000, {
          intervalMs: 5,
        });
      }
    } finally {
      controller.abort();
    }
    expect(await working).toEqual({ processed: 10, failed: 0, deadLettered: 0 });
    expect(await subscribers()).toBe(0);
    // Polling alone would take about 100 ms in the median; a wake-up takes a round trip or two.
    lags.sort((a, b) => a - b);
    expect(lags[5]).toBeLessThan(50);
  });

  it("rejects with Redis's error when Redis refuses to record an outcome, after the other handlers finish", async () => {
    const queue = new RedisQueue<number>("refused", env.redis);
    await queue.fill(Array.from({ length: 20 }, (_, i) => i));
    let running = 0;
    let peakAfterRefusal = 0;
    let refused = false;
    const outcome = queue
      .work(
        async (item) => {
          running++;
          try {
            if (item === 0) {
              // Break the item store so that recording this failure fails inside Redis.
              await env.redis.del("octo:q:{refused}:items");
              await env.redis.set("octo:q:{refused}:items", "not a hash");
              refused = true;
              throw new Error("handler failed");
            }
            await sleep(20);
            if (refused) peakAfterRefusal = Math.max(peakAfterRefusal, running);
          } finally {
            running--;
          }
        },
        { parallelism: 4, drainGraceMs: 0 },
      )
      .then(
        () => "resolved",
        (error: Error) => error.message,
      );
    expect(await outcome).toMatch(/WRONGTYPE/);
    expect(running).toBe(0);
    expect(peakAfterRefusal).toBeLessThanOrEqual(3);
  });

  it("requeue and a stopping worker's give-back announce the items on the wake-up channel; stop aborts running handlers' signals", async () => {
    const listener = env.server.client();
    const messages: string[] = [];
    listener.on("message", (_channel: string, message: string) => messages.push(message));
    const queue = new RedisQueue<number>("announced", env.redis, { retries: 0 });
    await listener.subscribe(queue.wakeChannel);
    const announced = async (count: string) => {
      await waitUntil(`a wake-up announcing ${count} items`, () => messages.includes(count), 30_000, {
        describe: () => messages,
      });
      messages.length = 0;
    };

    await queue.fill([1, 2]);
    await announced("2");
    await queue.work(
      async () => {
        throw new Error("always");
      },
      { drainGraceMs: 0 },
    );
    expect(await queue.requeue()).toBe(2);
    await announced("2");

    await queue.work(async () => {}, { drainGraceMs: 0 });
    await queue.fill(Array.from({ length: 300 }, (_, i) => i));
    messages.length = 0;
    const controller = new AbortController();
    let stopSignal: AbortSignal | undefined;
    let handled = 0;
    await queue.work(
      async (_item, { signal }) => {
        // Fast items first, so that the worker takes ahead; the 100th stops it.
        if (++handled < 100 || stopSignal) return;
        stopSignal = signal;
        controller.abort();
        if (!signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve));
      },
      { parallelism: 1, signal: controller.signal },
    );
    expect(stopSignal?.aborted).toBe(true);
    const { pending, inFlight } = await queue.stats();
    expect(inFlight).toBe(0);
    expect(pending).toBe(200);
    // The items taken ahead but not started (at least one; never more than were left) went back.
    await waitUntil("the give-back's wake-up", () => messages.length > 0);
    expect(messages).toHaveLength(1);
    expect(Number(messages[0])).toBeGreaterThanOrEqual(1);
    expect(Number(messages[0])).toBeLessThanOrEqual(pending);
    listener.disconnect();
  });

  it("a handler that honours its signal on stop and rejects is not a failure: its item goes back with its attempts unchanged", async () => {
    const queue = new RedisQueue<string>("interrupted", env.redis, { retries: 0 });
    await queue.fill(["only"]);
    const controller = new AbortController();
    const result = await queue.work(
      async (_item, { signal }) => {
        controller.abort();
        if (!signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve));
        throw signal.reason;
      },
      { signal: controller.signal },
    );
    expect(result).toEqual({ processed: 0, failed: 0, deadLettered: 0 });
    expect(await queue.stats()).toEqual({
      pending: 1,
      inFlight: 0,
      delayed: 0,
      dead: 0,
      oldestPendingAgeMs: null,
    });
    const [id] = await env.redis.lrange("octo:q:{interrupted}:pending", 0, -1);
    expect(await env.redis.hget("octo:q:{interrupted}:items", id as string)).toBe('0|0|"only"');
  });

  it("leaves no timer behind: a process whose work() returned exits by itself", async () => {
    const child = startNodeProcess(new URL("./fixtures/exits-by-itself.ts", import.meta.url).pathname, {
      env: { REDIS_URL: env.server.url, QUEUE: "exits" },
    });
    expect(await child.exited).toBe(0);
    expect(child.output()).toMatch(/^processed 3$/m);
    expect(child.output()).toMatch(/^timers 0$/m);
  });

  it("records any thrown value readably and never lets one escape", async () => {
    const queue = new RedisQueue<string>("thrown", env.redis, { retries: 0 });
    await queue.fill(["message", "null-prototype", "string"]);
    const result = await queue.work(async (item) => {
      if (item === "message") throw { message: "a plain object with a message" };
      if (item === "null-prototype") throw Object.assign(Object.create(null), { code: 7 });
      throw "a string";
    });
    expect(result).toEqual({ processed: 0, failed: 3, deadLettered: 3 });
    const errors = Object.fromEntries((await queue.deadLetters()).items.map((d) => [d.item, d.error]));
    expect(errors).toEqual({
      message: "a plain object with a message",
      "null-prototype": '{"code":7}',
      string: "a string",
    });
    expect((await queue.stats()).inFlight).toBe(0);
  });

  it("rejects with Redis's error when Redis refuses a take (READONLY), and loses nothing", async () => {
    const queue = new RedisQueue<number>("readonly", env.redis);
    await queue.fill(Array.from({ length: 5 }, (_, i) => i));
    const admin = env.server.client();
    // A replica of a master that does not exist keeps its data and refuses every write.
    await admin.call("REPLICAOF", "127.0.0.1", "1");
    try {
      let handled = 0;
      const outcome = await queue
        .work(async () => void handled++, { drainGraceMs: 0 })
        .then(
          () => "resolved",
          (error: Error) => error.message,
        );
      expect(outcome).toMatch(/READONLY/);
      expect(handled).toBe(0);
    } finally {
      await admin.call("REPLICAOF", "NO", "ONE");
    }
    expect(await queue.stats()).toEqual({
      pending: 5,
      inFlight: 0,
      delayed: 0,
      dead: 0,
      oldestPendingAgeMs: null,
    });
  });
});
