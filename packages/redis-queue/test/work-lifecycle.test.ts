import { RedisQueue } from "@octo/redis-queue";
import { describe, expect, it } from "vitest";
import { sleep, useRedis } from "./support";

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
    await sleep(50);
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
    const queued = await env.redis.lrange("octo:q:{stoppable}:pending", 0, -1);
    const values = await env.redis.hmget("octo:q:{stoppable}:items", ...queued);
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
      const deadline = Date.now() + 10_000;
      while ((await subscribers()) !== 1) {
        if (Date.now() > deadline) throw new Error("the idle worker never subscribed");
        await sleep(20);
      }
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
        while ((await queue.stats()).inFlight > 0) await sleep(5);
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
      const deadline = Date.now() + 5000;
      while (!messages.includes(count)) {
        if (Date.now() > deadline) throw new Error(`no wake-up announcing ${count} items: ${messages}`);
        await sleep(10);
      }
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
    await queue.fill(Array.from({ length: 30 }, (_, i) => i));
    messages.length = 0;
    const controller = new AbortController();
    let stopSignal: AbortSignal | undefined;
    await queue.work(
      async (_item, { signal }) => {
        if (stopSignal) return;
        stopSignal = signal;
        controller.abort();
        if (!signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve));
      },
      { parallelism: 1, signal: controller.signal },
    );
    expect(stopSignal?.aborted).toBe(true);
    const { pending, inFlight } = await queue.stats();
    expect(inFlight).toBe(0);
    expect(pending).toBe(29);
    // The items taken ahead but not started (at least one; never more than were left) went back.
    const deadline = Date.now() + 5000;
    while (messages.length === 0 && Date.now() < deadline) await sleep(10);
    expect(messages).toHaveLength(1);
    expect(Number(messages[0])).toBeGreaterThanOrEqual(1);
    expect(Number(messages[0])).toBeLessThanOrEqual(pending);
    listener.disconnect();
  });
});
