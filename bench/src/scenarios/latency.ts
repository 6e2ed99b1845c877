import { Queue, Worker } from "bullmq";
import { type BenchContext, item, measureRounds, NO_WARM_UP, sleep } from "../context";
import { scaled } from "../options";
import { loadOurs } from "../ours";
import { notMeasured, percentile, type ResultRow } from "../result";

/**
 * Issue 7 scenario 4: one item at a time on an idle queue, time from the enqueue call to the
 * handler's first line. BullMQ: a Worker already waiting, then `add`. Ours: a worker already
 * waiting (`work` with an endless drain grace, stopped by a signal), then `fill([item])`; the
 * idle worker is woken through the queue's pub/sub channel. Both sit idle IDLE_MS between samples.
 */
const IDLE_MS = 50;
export async function latency(ctx: BenchContext): Promise<ResultRow[]> {
  const samples = scaled(200, ctx.options.scale, 5);
  const ours = await loadOurs("@octo/redis-queue", ["RedisQueue"]);
  const note = `${samples} sequential items per round, ${IDLE_MS} ms idle between them, workers already waiting`;
  const oursRows = (["p50", "p99"] as const).map((p) => ({
    scenario: "latency",
    unit: "ms",
    note,
    id: `latency.${p}.octo`,
    label: `@octo/redis-queue fill→handler ${p}`,
    peer: `latency.${p}.bullmq`,
  }));
  const bullRows = (["p50", "p99"] as const).map((p) => ({
    scenario: "latency",
    unit: "ms",
    note,
    id: `latency.${p}.bullmq`,
    label: `BullMQ add→processor ${p}`,
  }));
  const octo = ours.ok
    ? await percentileRows(ctx, oursRows, () => oursLatency(ctx, ours.mod.RedisQueue, samples))
    : oursRows.map((row) => notMeasured(row, ours.reason));
  const bull = await percentileRows(ctx, bullRows, () => bullmqLatency(ctx, samples));
  return [octo[0], bull[0], octo[1], bull[1]] as ResultRow[];
}

/** Runs the sampler once per round and reads p50 and p99 from the same samples. */
async function percentileRows(
  ctx: BenchContext,
  [p50, p99]: Omit<ResultRow, "values" | "notMeasured">[],
  sample: () => Promise<number[]>,
): Promise<ResultRow[]> {
  const runs: number[][] = [];
  // No warm-up round: p99 is read from the same samples, round by round.
  const first = await measureRounds(
    ctx,
    p50 as ResultRow,
    ctx.options.rounds,
    async () => {
      const lags = await sample();
      runs.push(lags);
      return percentile(lags, 50);
    },
    NO_WARM_UP,
  );
  if (first.notMeasured)
    return [first, { ...(p99 as ResultRow), values: [], notMeasured: first.notMeasured }];
  return [first, { ...(p99 as ResultRow), values: runs.map((lags) => percentile(lags, 99)) }];
}

// biome-ignore lint/suspicious/noExplicitAny: the class is checked at run time
async function oursLatency(ctx: BenchContext, RedisQueue: any, samples: number): Promise<number[]> {
  const redis = ctx.redis.client();
  const queue = new RedisQueue("bench-latency", redis, {});
  const lags: number[] = [];
  const controller = new AbortController();
  let start = 0;
  let handled: () => void = () => {};
  const working = queue.work(
    async () => {
      lags.push(performance.now() - start);
      handled();
    },
    { signal: controller.signal, drainGraceMs: Number.POSITIVE_INFINITY },
  );
  try {
    for (let i = 0; i < samples; i++) {
      await sleep(IDLE_MS);
      const done = new Promise<void>((resolve) => {
        handled = resolve;
      });
      // fill() refuses while the last item's ack is still on its way; that retry is not timed.
      for (;;) {
        start = performance.now();
        if (await queue.fill([item(i)])) break;
        await sleep(1);
      }
      await done;
    }
  } finally {
    controller.abort();
    await working;
    await queue.close?.();
    await redis.quit();
  }
  return lags;
}

async function bullmqLatency(ctx: BenchContext, samples: number): Promise<number[]> {
  const connection = {
    host: ctx.redis.host,
    port: ctx.redis.port,
    db: ctx.redis.db,
    maxRetriesPerRequest: null,
  };
  const queue = new Queue("bench-latency", { connection });
  const lags: number[] = [];
  let started = 0;
  let arrived: () => void = () => {};
  const worker = new Worker(
    "bench-latency",
    async () => {
      lags.push(performance.now() - started);
      arrived();
    },
    { connection, concurrency: 1, removeOnComplete: { count: 0 } },
  );
  try {
    await worker.waitUntilReady();
    await sleep(100);
    for (let i = 0; i < samples; i++) {
      const seen = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      started = performance.now();
      await queue.add("noop", item(i), { removeOnComplete: true });
      await seen;
      await sleep(IDLE_MS);
    }
  } finally {
    await worker.close();
    await queue.close();
  }
  return lags;
}
