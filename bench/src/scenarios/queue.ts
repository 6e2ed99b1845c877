import { Queue, Worker } from "bullmq";
import { type BenchContext, childResult, item, measurePair, NO_WARM_UP, startChild } from "../context";
import { scaled } from "../options";
import { type Loaded, loadOurs } from "../ours";
import { notMeasured, type ResultRow } from "../result";

const PARALLELISM = [1, 10, 50] as const;
const PROCESSES = 3;
const PROCESS_PARALLELISM = 10;

/** Issue 7 scenario 1: no-op items through our queue and BullMQ, jobs/s, fill time excluded. */
export async function queueThroughput(ctx: BenchContext): Promise<ResultRow[]> {
  const count = scaled(50_000, ctx.options.scale);
  const rows: ResultRow[] = [];
  const ours = await loadOurs("@octo/redis-queue", ["RedisQueue"]);
  const note = `${count} no-op items, filled before the clock starts`;
  for (const p of PARALLELISM) {
    const base = { scenario: "queue", unit: "jobs/s", note };
    const oursBase = {
      ...base,
      id: `queue.p${p}.octo`,
      label: `@octo/redis-queue, parallelism ${p}`,
      peer: `queue.p${p}.bullmq`,
    };
    rows.push(
      ...(await measurePair(
        ctx,
        ours.ok
          ? { base: oursBase, round: () => ourQueueRound(ctx, ours.mod, count, p) }
          : notMeasured(oursBase, ours.reason),
        {
          base: { ...base, id: `queue.p${p}.bullmq`, label: `BullMQ, concurrency ${p}` },
          round: () => bullmqInProcess(ctx, count, p),
        },
        ctx.options.rounds,
      )),
    );
  }

  const multi = `${PROCESSES}x${PROCESS_PARALLELISM}`;
  const base = {
    scenario: "queue",
    unit: "jobs/s",
    note: `${note}; ${PROCESSES} worker processes (tsx), timed from a start signal to the last item`,
  };
  const oursBase = {
    ...base,
    id: `queue.${multi}.octo`,
    label: `@octo/redis-queue, ${PROCESSES} processes × ${PROCESS_PARALLELISM}`,
    peer: `queue.${multi}.bullmq`,
  };
  // Fresh worker processes each round, ours and BullMQ's: nothing to warm up.
  const oursMulti = (mod: Extract<Loaded, { ok: true }>["mod"]) => async () => {
    const redis = ctx.redis.client();
    const queue = new mod.RedisQueue("bench-multi", redis, {});
    try {
      await queue.fill(Array.from({ length: count }, (_, n) => item(n)));
    } finally {
      await queue.close?.();
      await redis.quit();
    }
    return multiProcess(ctx, "octo-worker", count, "bench-multi");
  };
  rows.push(
    ...(await measurePair(
      ctx,
      ours.ok ? { base: oursBase, round: oursMulti(ours.mod) } : notMeasured(oursBase, ours.reason),
      {
        base: {
          ...base,
          id: `queue.${multi}.bullmq`,
          label: `BullMQ, ${PROCESSES} processes × ${PROCESS_PARALLELISM}`,
        },
        round: async () => {
          await addBullmqJobs(ctx, "bench-multi", count);
          return multiProcess(ctx, "bullmq-worker", count, "bench-multi");
        },
      },
      ctx.options.rounds,
      NO_WARM_UP,
    )),
  );
  return rows;
}

/**
 * One round of our queue: `count` no-op items filled before the clock starts, handled at
 * parallelism `p`; jobs/s from starting `work()` to the last handler call.
 */
export async function ourQueueRound(
  ctx: BenchContext,
  mod: Extract<Loaded, { ok: true }>["mod"],
  count: number,
  p: number,
): Promise<number> {
  const redis = ctx.redis.client();
  const queue = new mod.RedisQueue(`bench-p${p}`, redis, {});
  try {
    const items = Array.from({ length: count }, (_, n) => item(n));
    if (!(await queue.fill(items))) throw new Error("fill returned false on an empty queue");
    let handled = 0;
    let last = 0;
    const start = performance.now();
    // Timed to the last handler call, as for BullMQ: work() itself resolves only after
    // the queue has stayed empty for its drain grace (1 s), which is not throughput.
    await queue.work(
      async () => {
        handled++;
        last = performance.now();
      },
      { parallelism: p },
    );
    const seconds = (last - start) / 1000;
    if (handled < count) throw new Error(`work resolved after ${handled} of ${count} items`);
    return count / seconds;
  } finally {
    await queue.close?.();
    await redis.quit();
  }
}

/** BullMQ's settings for a fair no-op run: completed and failed jobs removed, bulk add. */
export async function addBullmqJobs(ctx: BenchContext, name: string, count: number): Promise<void> {
  const queue = new Queue(name, {
    connection: { host: ctx.redis.host, port: ctx.redis.port, db: ctx.redis.db },
  });
  try {
    for (let from = 0; from < count; from += 1000) {
      const jobs = [];
      for (let n = from; n < Math.min(count, from + 1000); n++) {
        jobs.push({ name: "noop", data: item(n), opts: { removeOnComplete: true, removeOnFail: true } });
      }
      await queue.addBulk(jobs);
    }
  } finally {
    await queue.close();
  }
}

async function bullmqInProcess(ctx: BenchContext, count: number, concurrency: number): Promise<number> {
  await addBullmqJobs(ctx, `bench-p${concurrency}`, count);
  let handled = 0;
  let start = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const worker = new Worker(
    `bench-p${concurrency}`,
    async () => {
      if (++handled === count) finish();
    },
    {
      connection: {
        host: ctx.redis.host,
        port: ctx.redis.port,
        db: ctx.redis.db,
        maxRetriesPerRequest: null,
      },
      concurrency,
      autorun: false,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
    },
  );
  try {
    start = performance.now();
    void worker.run();
    await finished;
    return count / ((performance.now() - start) / 1000);
  } finally {
    await worker.close();
  }
}

/**
 * Starts the worker processes, waits until each has connected, releases them all at once with a
 * Redis list they block on, and times until every one has reported that the queue is drained.
 */
async function multiProcess(ctx: BenchContext, child: string, count: number, name: string): Promise<number> {
  const workers = Array.from({ length: PROCESSES }, (_, i) =>
    startChild(child, {
      BENCH_REDIS_URL: ctx.redis.url,
      BENCH_QUEUE: name,
      BENCH_COUNT: String(count),
      BENCH_PARALLELISM: String(PROCESS_PARALLELISM),
      BENCH_INDEX: String(i),
    }),
  );
  try {
    await Promise.all(workers.map((w) => w.waitFor(/^ready/, 30_000)));
    const redis = ctx.redis.client();
    const start = Date.now();
    await redis.rpush("bench:go", ...workers.map(() => "go"));
    const results = await Promise.all(
      workers.map((w) => childResult<{ handled: number; lastAt: number }>(w, 300_000)),
    );
    // From the start signal to the last handler call in any process (same machine, same clock).
    const seconds = (Math.max(...results.map((r) => r.lastAt)) - start) / 1000;
    await redis.quit();
    const handled = results.reduce((sum, r) => sum + r.handled, 0);
    if (handled < count) throw new Error(`${child}: ${handled} of ${count} items handled`);
    return count / seconds;
  } finally {
    await Promise.all(workers.map((w) => w.kill("SIGTERM").catch(() => undefined)));
  }
}
