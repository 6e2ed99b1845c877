import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import Redlock from "redlock";
import { type BenchContext, measureRounds } from "../context";
import { scaled } from "../options";
import { loadOurs } from "../ours";
import { notMeasured, type ResultRow } from "../result";

const compareAndDelete = readFileSync(new URL("./compare-and-delete.lua", import.meta.url), "utf8");

/**
 * Issue 7 scenario 5: acquire + release pairs per second, one after another on one connection
 * (a lock is a round trip each way; concurrency would only measure pipelining).
 */
export async function locks(ctx: BenchContext): Promise<ResultRow[]> {
  const pairs = scaled(10_000, ctx.options.scale);
  const lock = await loadOurs("@octo/redis-lock", ["acquireLock", "releaseLock", "withLock"]);
  const base = {
    scenario: "locks",
    unit: "pairs/s",
    note: `${pairs} sequential acquire+release pairs on one key, period 10 s`,
  };
  const rows: ResultRow[] = [];
  const timed = (pair: (redis: import("ioredis").Redis, owner: string) => Promise<void>) => async () => {
    const redis = ctx.redis.client();
    const owner = randomUUID();
    try {
      const start = performance.now();
      for (let i = 0; i < pairs; i++) await pair(redis, owner);
      return pairs / ((performance.now() - start) / 1000);
    } finally {
      await redis.quit();
    }
  };

  const pairRow = {
    ...base,
    id: "locks.octo",
    label: "@octo/redis-lock acquireLock + releaseLock",
    peer: "locks.redlock",
  };
  rows.push(
    lock.ok
      ? await measureRounds(
          ctx,
          pairRow,
          ctx.options.rounds,
          timed(async (redis, owner) => {
            if (!(await lock.mod.acquireLock(redis, "bench", owner, 10_000)))
              throw new Error("acquireLock returned false on a free lock");
            if (!(await lock.mod.releaseLock(redis, "bench", owner)))
              throw new Error("releaseLock returned false for the holder");
          }),
        )
      : notMeasured(pairRow, lock.reason),
  );
  const withRow = {
    ...base,
    id: "locks.octo.withLock",
    label: "@octo/redis-lock withLock (no-op fn)",
    peer: "locks.redlock",
  };
  rows.push(
    lock.ok
      ? await measureRounds(
          ctx,
          withRow,
          ctx.options.rounds,
          timed(async (redis) => {
            const result = await lock.mod.withLock(redis, "bench", async () => 1, { period: 10_000 });
            if (!result.acquired) throw new Error("withLock did not acquire a free lock");
          }),
        )
      : notMeasured(withRow, lock.reason),
  );
  rows.push(
    await measureRounds(
      ctx,
      { ...base, id: "locks.redlock", label: "redlock 5 acquire + release (1 instance, no retries)" },
      ctx.options.rounds,
      async () => {
        const redis = ctx.redis.client();
        const redlock = new Redlock([redis], { retryCount: 0 });
        try {
          const start = performance.now();
          for (let i = 0; i < pairs; i++) {
            const held = await redlock.acquire(["bench:redlock"], 10_000);
            await held.release();
          }
          return pairs / ((performance.now() - start) / 1000);
        } finally {
          await redis.quit();
        }
      },
    ),
  );
  rows.push(
    await measureRounds(
      ctx,
      { ...base, id: "locks.bare", label: "bare SET NX PX + compare-and-delete script" },
      ctx.options.rounds,
      async () => {
        const redis = ctx.redis.client();
        redis.defineCommand("benchCompareAndDelete", { numberOfKeys: 1, lua: compareAndDelete });
        const release = (
          redis as unknown as { benchCompareAndDelete(key: string, owner: string): Promise<number> }
        ).benchCompareAndDelete.bind(redis);
        const owner = randomUUID();
        try {
          const start = performance.now();
          for (let i = 0; i < pairs; i++) {
            if ((await redis.set("bench:bare", owner, "PX", 10_000, "NX")) !== "OK")
              throw new Error("SET NX failed on a free key");
            if ((await release("bench:bare", owner)) !== 1)
              throw new Error("compare-and-delete did not delete");
          }
          return pairs / ((performance.now() - start) / 1000);
        } finally {
          await redis.quit();
        }
      },
    ),
  );
  return rows;
}
