// Fills the queue from a generator in a fresh process and reports its peak RSS: memory must
// stay flat however many items the generator yields.
import { RedisQueue } from "@octo/redis-queue";
import { Redis } from "ioredis";

const count = Number(process.env.BENCH_COUNT);
const redis = new Redis(process.env.BENCH_REDIS_URL as string, { maxRetriesPerRequest: null });
// biome-ignore lint/suspicious/noExplicitAny: checked at run time by the parent before starting us
const queue = new (RedisQueue as any)("bench-rss", redis, {});
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);

async function* batches(): AsyncGenerator<{ n: number }[]> {
  for (let from = 0; from < count; from += 1000) {
    const batch: { n: number }[] = [];
    for (let n = from; n < Math.min(count, from + 1000); n++) batch.push({ n });
    yield batch;
  }
}

await queue.fill(batches());
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const length = await queue.length();
console.log(`done ${JSON.stringify({ peakRss, length })}`);
await queue.close?.();
await redis.quit();
