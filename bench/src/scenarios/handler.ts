import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { type BenchContext, item, measurePair } from "../context";
import { scaled } from "../options";
import { type Loaded, loadOurs } from "../ours";
import { notMeasured, type ResultRow } from "../result";
import { addBullmqJobs } from "./queue";

const PARALLELISM = 10;
const COUNTER = "bench:handler:count";

/**
 * Items whose handler does real I/O: one Redis round trip each (an INCR on the same Redis, on
 * the application's own connection), so the numbers show what the library costs next to work
 * that waits on the network, not only next to a no-op.
 */
export async function handler(ctx: BenchContext): Promise<ResultRow[]> {
  const count = scaled(20_000, ctx.options.scale);
  const ours = await loadOurs("@octo/redis-queue", ["RedisQueue"]);
  const base = {
    scenario: "handler",
    unit: "jobs/s",
    note: `${count} items, each handler one INCR on its own connection to the same Redis; filled before the clock starts`,
  };
  const oursBase = {
    ...base,
    id: `handler.p${PARALLELISM}.octo`,
    label: `@octo/redis-queue, parallelism ${PARALLELISM}, one Redis round trip per item`,
    peer: `handler.p${PARALLELISM}.bullmq`,
  };
  const oursRound = (mod: Extract<Loaded, { ok: true }>["mod"]) => async () => {
    const redis = ctx.redis.client();
    const app = ctx.redis.client();
    const queue = new mod.RedisQueue("bench-handler", redis, {});
    try {
      if (!(await queue.fill(Array.from({ length: count }, (_, n) => item(n))))) {
        throw new Error("fill returned false on an empty queue");
      }
      let last = 0;
      const start = performance.now();
      // Timed to the last handler's end, as for BullMQ; the drain grace of work() is not.
      await queue.work(
        async () => {
          await app.incr(COUNTER);
          last = performance.now();
        },
        { parallelism: PARALLELISM },
      );
      await expectCount(app, count);
      return count / ((last - start) / 1000);
    } finally {
      await queue.close?.();
      await Promise.all([redis.quit(), app.quit()]);
    }
  };
  return measurePair(
    ctx,
    ours.ok ? { base: oursBase, round: oursRound(ours.mod) } : notMeasured(oursBase, ours.reason),
    {
      base: {
        ...base,
        id: `handler.p${PARALLELISM}.bullmq`,
        label: `BullMQ, concurrency ${PARALLELISM}, one Redis round trip per item`,
      },
      round: () => bullmq(ctx, count),
    },
    ctx.options.rounds,
  );
}

async function expectCount(app: Redis, count: number): Promise<void> {
  const done = Number(await app.get(COUNTER));
  if (done < count) throw new Error(`${done} of ${count} handlers ran`);
}

async function bullmq(ctx: BenchContext, count: number): Promise<number> {
  await addBullmqJobs(ctx, "bench-handler", count);
  const app = ctx.redis.client();
  let handled = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const worker = new Worker(
    "bench-handler",
    async () => {
      await app.incr(COUNTER);
      if (++handled === count) finish();
    },
    {
      connection: {
        host: ctx.redis.host,
        port: ctx.redis.port,
        db: ctx.redis.db,
        maxRetriesPerRequest: null,
      },
      concurrency: PARALLELISM,
      autorun: false,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
    },
  );
  try {
    const start = performance.now();
    void worker.run();
    await finished;
    const rate = count / ((performance.now() - start) / 1000);
    await expectCount(app, count);
    return rate;
  } finally {
    await worker.close();
    await app.quit();
  }
}
