import { type BenchContext, childResult, item, measureRounds, NO_WARM_UP, startChild } from "../context";
import { scaled } from "../options";
import { loadOurs } from "../ours";
import { notMeasured, type ResultRow } from "../result";
import { addBullmqJobs } from "./queue";

/** Issue 7 scenario 3: fill speed from an array and a generator, and peak RSS of a 1M generator fill. */
export async function fill(ctx: BenchContext): Promise<ResultRow[]> {
  const count = scaled(50_000, ctx.options.scale);
  const big = scaled(1_000_000, ctx.options.scale, 1000);
  const ours = await loadOurs("@octo/redis-queue", ["RedisQueue"]);
  const rows: ResultRow[] = [];
  const base = {
    scenario: "fill",
    unit: "items/s",
    note: `${count} items; generator yields batches of 1,000`,
  };

  // biome-ignore lint/suspicious/noExplicitAny: the class is checked at run time
  const fillOnce = (RedisQueue: any, source: "array" | "generator") => async () => {
    const redis = ctx.redis.client();
    const queue = new RedisQueue(`bench-fill-${source}`, redis, {});
    try {
      const start = performance.now();
      const items =
        source === "array" ? Array.from({ length: count }, (_, n) => item(n)) : batches(count, 1000);
      if (!(await queue.fill(items))) throw new Error("fill returned false on an empty queue");
      const seconds = (performance.now() - start) / 1000;
      const length = await queue.length();
      if (length !== count) throw new Error(`queue holds ${length} of ${count} items after fill`);
      return count / seconds;
    } finally {
      await queue.close?.();
      await redis.quit();
    }
  };
  for (const source of ["array", "generator"] as const) {
    const row = {
      ...base,
      id: `fill.${source}.octo`,
      label: `@octo/redis-queue fill from ${source === "array" ? "an array" : "an async generator"}`,
      ...(source === "array" ? { peer: "fill.array.bullmq" } : {}),
    };
    rows.push(
      ours.ok
        ? await measureRounds(ctx, row, ctx.options.rounds, fillOnce(ours.mod.RedisQueue, source))
        : notMeasured(row, ours.reason),
    );
  }
  rows.push(
    await measureRounds(
      ctx,
      { ...base, id: "fill.array.bullmq", label: "BullMQ addBulk, 1,000 per call" },
      ctx.options.rounds,
      async () => {
        const start = performance.now();
        await addBullmqJobs(ctx, "bench-fill", count);
        return count / ((performance.now() - start) / 1000);
      },
    ),
  );

  const rss = {
    scenario: "fill",
    id: "fill.rss.octo",
    label: `@octo/redis-queue peak RSS filling ${big.toLocaleString("en")} items from a generator (child process)`,
    unit: "MB",
    note: "peak resident set size of a fresh Node.js process doing only the fill, sampled every 20 ms",
  };
  // A fresh child process each round: nothing to warm up.
  rows.push(
    ours.ok
      ? await measureRounds(
          ctx,
          rss,
          1,
          async () => {
            const child = startChild("octo-fill-rss", {
              BENCH_REDIS_URL: ctx.redis.url,
              BENCH_COUNT: String(big),
            });
            const result = await childResult<{ peakRss: number; length: number }>(child, 600_000);
            if (result.length !== big)
              throw new Error(`queue holds ${result.length} of ${big} items after fill`);
            return result.peakRss / 1024 / 1024;
          },
          NO_WARM_UP,
        )
      : notMeasured(rss, ours.reason),
  );
  return rows;
}

export async function* batches(count: number, size: number): AsyncGenerator<{ n: number }[]> {
  for (let from = 0; from < count; from += size) {
    const batch: { n: number }[] = [];
    for (let n = from; n < Math.min(count, from + size); n++) batch.push(item(n));
    yield batch;
  }
}
