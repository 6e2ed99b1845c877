import { Queue, Worker } from "bullmq";
import { type BenchContext, item, measurePair } from "../context";
import { scaled } from "../options";
import { loadOurs } from "../ours";
import { notMeasured, type ResultRow } from "../result";

/** The part of @octo/redis-queue this scenario uses (it is loaded from dist at run time). */
interface OursModule {
  RedisQueue: new (
    name: string,
    redis: unknown,
  ) => {
    add(items: unknown, options?: object): Promise<{ added: number; skipped: number }>;
    length(): Promise<number>;
    work(handler: () => Promise<void>, options: object): Promise<unknown>;
  };
}

const PRODUCERS = 10;
const BATCH = 100;
const PARALLELISM = 10;
/** BullMQ's settings for a fair run, as in the other scenarios: finished jobs are removed. */
const JOB_OPTS = { removeOnComplete: true, removeOnFail: true };

/**
 * Adding work at any time: single adds from 10 concurrent producers, arrays of 100, and a
 * producer adding in calls of 100 while a worker consumes (items/s from the first add to the
 * last handler). Us (`add`) against BullMQ (`queue.add`, `addBulk`) on the same Redis.
 */
export async function add(ctx: BenchContext): Promise<ResultRow[]> {
  const ours = await loadOurs("@octo/redis-queue", ["RedisQueue"]);
  const singles = scaled(100_000, ctx.options.scale);
  const batched = scaled(50_000, ctx.options.scale);
  const rows: ResultRow[] = [];
  const pair = async (
    id: string,
    what: string,
    note: string,
    octo: (mod: OursModule) => Promise<number>,
    bull: () => Promise<number>,
  ) => {
    const base = { scenario: "add", unit: "items/s", note };
    const oursBase = { ...base, id: `${id}.octo`, label: `@octo/redis-queue, ${what}`, peer: `${id}.bullmq` };
    rows.push(
      ...(await measurePair(
        ctx,
        ours.ok
          ? { base: oursBase, round: () => octo(ours.mod as OursModule) }
          : notMeasured(oursBase, ours.reason),
        { base: { ...base, id: `${id}.bullmq`, label: `BullMQ, ${what}` }, round: bull },
        ctx.options.rounds,
      )),
    );
  };
  await pair(
    "add.single",
    `one item per call, ${PRODUCERS} concurrent producers`,
    `${singles} items: ours add(item), BullMQ queue.add; one client each`,
    (mod) => oursSingles(ctx, mod, singles),
    () => bullmqSingles(ctx, singles),
  );
  await pair(
    "add.batch100",
    `arrays of ${BATCH}`,
    `${batched} items: ours add(array), BullMQ addBulk`,
    (mod) => oursBatches(ctx, mod, batched),
    () => bullmqBatches(ctx, batched),
  );
  await pair(
    "add.produce-consume",
    `adding in calls of ${BATCH} while a worker at parallelism ${PARALLELISM} consumes`,
    `${batched} items, timed from the first add to the last handler`,
    (mod) => oursProduceConsume(ctx, mod, batched),
    () => bullmqProduceConsume(ctx, batched),
  );
  return rows;
}

function items(from: number, to: number) {
  return Array.from({ length: to - from }, (_, i) => item(from + i));
}

/** Runs `producers` loops that together call `call(n)` for n = 0..count-1; items/s. */
async function concurrently(count: number, producers: number, call: (n: number) => Promise<unknown>) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: producers }, async () => {
      while (next < count) await call(next++);
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

async function oursSingles(ctx: BenchContext, mod: OursModule, count: number): Promise<number> {
  const redis = ctx.redis.client();
  const queue = new mod.RedisQueue("bench-add", redis);
  try {
    const rate = await concurrently(count, PRODUCERS, (n) => queue.add(item(n)));
    await expectLength(await queue.length(), count);
    return rate;
  } finally {
    await redis.quit();
  }
}

function bullmqQueue(ctx: BenchContext, name: string): Queue {
  return new Queue(name, { connection: { host: ctx.redis.host, port: ctx.redis.port, db: ctx.redis.db } });
}

async function bullmqSingles(ctx: BenchContext, count: number): Promise<number> {
  const queue = bullmqQueue(ctx, "bench-add");
  try {
    const rate = await concurrently(count, PRODUCERS, (n) => queue.add("noop", item(n), JOB_OPTS));
    await expectLength(await queue.getWaitingCount(), count);
    return rate;
  } finally {
    await queue.close();
  }
}

async function oursBatches(ctx: BenchContext, mod: OursModule, count: number): Promise<number> {
  const redis = ctx.redis.client();
  const queue = new mod.RedisQueue("bench-add-batch", redis);
  try {
    const start = performance.now();
    for (let from = 0; from < count; from += BATCH)
      await queue.add(items(from, Math.min(count, from + BATCH)));
    const rate = count / ((performance.now() - start) / 1000);
    await expectLength(await queue.length(), count);
    return rate;
  } finally {
    await redis.quit();
  }
}

async function bullmqBatches(ctx: BenchContext, count: number): Promise<number> {
  const queue = bullmqQueue(ctx, "bench-add-batch");
  try {
    const start = performance.now();
    for (let from = 0; from < count; from += BATCH) {
      await queue.addBulk(
        items(from, Math.min(count, from + BATCH)).map((data) => ({ name: "noop", data, opts: JOB_OPTS })),
      );
    }
    const rate = count / ((performance.now() - start) / 1000);
    await expectLength(await queue.getWaitingCount(), count);
    return rate;
  } finally {
    await queue.close();
  }
}

async function oursProduceConsume(ctx: BenchContext, mod: OursModule, count: number): Promise<number> {
  const producerRedis = ctx.redis.client();
  const workerRedis = ctx.redis.client();
  const producer = new mod.RedisQueue("bench-add-live", producerRedis);
  const consumer = new mod.RedisQueue("bench-add-live", workerRedis);
  const stop = new AbortController();
  let handled = 0;
  let last = 0;
  const working = consumer.work(
    async () => {
      if (++handled === count) {
        last = performance.now();
        stop.abort();
      }
    },
    { parallelism: PARALLELISM, drainGraceMs: Number.POSITIVE_INFINITY, signal: stop.signal },
  );
  try {
    const start = performance.now();
    for (let from = 0; from < count; from += BATCH)
      await producer.add(items(from, Math.min(count, from + BATCH)));
    await working;
    if (handled < count) throw new Error(`${handled} of ${count} handlers ran`);
    return count / ((last - start) / 1000);
  } finally {
    stop.abort();
    await working.catch(() => undefined);
    await Promise.all([producerRedis.quit(), workerRedis.quit()]);
  }
}

async function bullmqProduceConsume(ctx: BenchContext, count: number): Promise<number> {
  const queue = bullmqQueue(ctx, "bench-add-live");
  let handled = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const worker = new Worker(
    "bench-add-live",
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
      concurrency: PARALLELISM,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
    },
  );
  try {
    await worker.waitUntilReady();
    const start = performance.now();
    for (let from = 0; from < count; from += BATCH) {
      await queue.addBulk(
        items(from, Math.min(count, from + BATCH)).map((data) => ({ name: "noop", data, opts: JOB_OPTS })),
      );
    }
    await finished;
    return count / ((performance.now() - start) / 1000);
  } finally {
    await worker.close();
    await queue.close();
  }
}

async function expectLength(length: number, count: number): Promise<void> {
  if (length !== count) throw new Error(`${length} of ${count} items were queued`);
}
