import { readFileSync } from "node:fs";
import { type BenchContext, item, measurePair, measureRounds } from "../context";
import { scaled } from "../options";
import { loadOurs } from "../ours";
import { notMeasured, type ResultRow } from "../result";
import { ourQueueRound } from "./queue";

const PARALLELISM = [1, 10, 50] as const;
const BATCH = 100;
const takeBatch = readFileSync(new URL("./take-batch.lua", import.meta.url), "utf8");

/**
 * Issue 7 scenario 2: what Redis allows for the same items with no queue library around it.
 * "list" = one item per round trip (LMOVE to a processing list, LREM to ack); "batched" = one
 * script moves 100 items into an in-flight sorted set with a lease score, acks are one ZREM per batch.
 * Items are pushed in pipelined batches before the clock starts, as for the queues. Each batched
 * row takes turns, round by round, with our queue at the same parallelism (`floor.batch.pN.octo`),
 * and the floor goals compare those two: the machine's speed drifts over the minutes between the
 * queue scenario and this one, and a ratio of rows measured apart would carry that drift.
 */
export async function floors(ctx: BenchContext): Promise<ResultRow[]> {
  const count = scaled(50_000, ctx.options.scale);
  const rows: ResultRow[] = [];
  const note = `${count} items, ${PARALLELISM.join("/")} concurrent loops on one connection`;
  for (const p of PARALLELISM) {
    rows.push(
      await measureRounds(
        ctx,
        {
          scenario: "floor",
          id: `floor.list.p${p}`,
          label: `bare list, 1 item per round trip, ${p} loops`,
          unit: "items/s",
          note,
        },
        ctx.options.rounds,
        () => listFloor(ctx, count, p),
      ),
    );
  }
  const ours = await loadOurs("@octo/redis-queue", ["RedisQueue"]);
  for (const p of PARALLELISM) {
    const floorBase = {
      scenario: "floor",
      id: `floor.batch.p${p}`,
      label: `batched Lua (${BATCH}/call) into in-flight zset, ${p} loops`,
      unit: "items/s",
      note,
    };
    const oursBase = {
      scenario: "floor",
      id: `floor.batch.p${p}.octo`,
      label: `@octo/redis-queue, parallelism ${p}, in turn with the floor`,
      unit: "jobs/s",
      note: `${count} no-op items, as in the queue scenario`,
      peer: floorBase.id,
    };
    rows.push(
      ...(await measurePair(
        ctx,
        ours.ok
          ? { base: oursBase, round: () => ourQueueRound(ctx, ours.mod, count, p) }
          : notMeasured(oursBase, ours.reason),
        { base: floorBase, round: () => batchedFloor(ctx, count, p) },
        ctx.options.rounds,
      )),
    );
  }
  return rows;
}

async function push(ctx: BenchContext, key: string, count: number): Promise<void> {
  const redis = ctx.redis.client();
  for (let from = 0; from < count; from += 1000) {
    const values: string[] = [];
    for (let n = from; n < Math.min(count, from + 1000); n++) values.push(JSON.stringify(item(n)));
    await redis.rpush(key, ...values);
  }
  await redis.quit();
}

async function listFloor(ctx: BenchContext, count: number, loops: number): Promise<number> {
  await push(ctx, "floor:pending", count);
  const redis = ctx.redis.client();
  let handled = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async () => {
      for (;;) {
        const value = await redis.lmove("floor:pending", "floor:processing", "LEFT", "RIGHT");
        if (value === null) return;
        JSON.parse(value);
        await redis.lrem("floor:processing", 1, value);
        handled++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await redis.quit();
  if (handled !== count) throw new Error(`${handled} of ${count} items moved`);
  return count / seconds;
}

async function batchedFloor(ctx: BenchContext, count: number, loops: number): Promise<number> {
  await push(ctx, "floor:{q}:pending", count);
  const redis = ctx.redis.client();
  redis.defineCommand("floorTakeBatch", { numberOfKeys: 2, lua: takeBatch });
  const take = (
    redis as unknown as { floorTakeBatch(a: string, b: string, n: number, lease: number): Promise<string[]> }
  ).floorTakeBatch.bind(redis);
  let handled = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async () => {
      for (;;) {
        const values = await take("floor:{q}:pending", "floor:{q}:inflight", BATCH, 30_000);
        if (values.length === 0) return;
        for (const value of values) JSON.parse(value);
        await redis.zrem("floor:{q}:inflight", ...values);
        handled += values.length;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await redis.quit();
  if (handled !== count) throw new Error(`${handled} of ${count} items moved`);
  return count / seconds;
}
