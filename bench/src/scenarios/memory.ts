import { type BenchContext, item, measureRounds, NO_WARM_UP } from "../context";
import { scaled } from "../options";
import { loadOurs } from "../ours";
import { notMeasured, type ResultRow } from "../result";
import { addBullmqJobs } from "./queue";

/** Redis memory per waiting item: INFO used_memory after filling, minus before, divided by items. */
export async function memory(ctx: BenchContext): Promise<ResultRow[]> {
  const count = scaled(50_000, ctx.options.scale, 1000);
  const ours = await loadOurs("@octo/redis-queue", ["RedisQueue"]);
  const base = {
    scenario: "memory",
    unit: "bytes/item",
    note: `${count} waiting items {"n": i}, INFO memory used_memory delta / items`,
  };
  // Bytes in Redis, not time: nothing to warm up.
  const row = { ...base, id: "memory.octo", label: "@octo/redis-queue, waiting item", peer: "memory.bullmq" };
  const rows: ResultRow[] = [];
  rows.push(
    ours.ok
      ? await measureRounds(
          ctx,
          row,
          ctx.options.rounds,
          async () => {
            const redis = ctx.redis.client();
            const queue = new ours.mod.RedisQueue("bench-memory", redis, {});
            try {
              const before = await ctx.redis.usedMemory();
              await queue.fill(Array.from({ length: count }, (_, n) => item(n)));
              return ((await ctx.redis.usedMemory()) - before) / count;
            } finally {
              await queue.close?.();
              await redis.quit();
            }
          },
          NO_WARM_UP,
        )
      : notMeasured(row, ours.reason),
  );
  rows.push(
    await measureRounds(
      ctx,
      { ...base, id: "memory.bullmq", label: "BullMQ, waiting job" },
      ctx.options.rounds,
      async () => {
        const before = await ctx.redis.usedMemory();
        await addBullmqJobs(ctx, "bench-memory", count);
        return ((await ctx.redis.usedMemory()) - before) / count;
      },
      NO_WARM_UP,
    ),
  );
  return rows;
}
