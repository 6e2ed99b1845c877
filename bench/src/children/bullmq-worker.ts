// One BullMQ worker process for the multi-process throughput scenario.
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";

const url = new URL(process.env.BENCH_REDIS_URL as string);
const connection = { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
const name = process.env.BENCH_QUEUE as string;
const concurrency = Number(process.env.BENCH_PARALLELISM);

const redis = new Redis(url.toString());
let handled = 0;
let lastAt = 0;
const worker = new Worker(
  name,
  async () => {
    handled++;
    lastAt = Date.now();
  },
  { connection, concurrency, autorun: false, removeOnComplete: { count: 0 }, removeOnFail: { count: 0 } },
);
const queue = new Queue(name, { connection });
await worker.waitUntilReady();
console.log("ready");
await redis.blpop("bench:go", 0);
void worker.run();
// BullMQ workers never finish on their own: the process is done when nothing waits or runs.
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 20));
  const counts = await queue.getJobCounts("wait", "active", "prioritized", "delayed");
  if (Object.values(counts).every((n) => n === 0)) break;
}
console.log(`done ${JSON.stringify({ handled, lastAt })}`);
await worker.close();
await queue.close();
await redis.quit();
