// One @octo/redis-queue worker process for the multi-process throughput scenario.
import { RedisQueue } from "@octo/redis-queue";
import { Redis } from "ioredis";

const redis = new Redis(process.env.BENCH_REDIS_URL as string, { maxRetriesPerRequest: null });
const go = redis.duplicate();
// biome-ignore lint/suspicious/noExplicitAny: checked at run time by the parent before starting us
const queue = new (RedisQueue as any)(process.env.BENCH_QUEUE as string, redis, {});
const parallelism = Number(process.env.BENCH_PARALLELISM);
await redis.ping();
console.log("ready");
await go.blpop("bench:go", 0);
let handled = 0;
let lastAt = 0;
await queue.work(
  async () => {
    handled++;
    lastAt = Date.now();
  },
  { parallelism },
);
console.log(`done ${JSON.stringify({ handled, lastAt })}`);
await queue.close?.();
await go.quit();
await redis.quit();
