// Plain node-cron, no Redis on the fire path: the baseline fire lag of an every-second job.
import { Redis } from "ioredis";
import cron from "node-cron";
import { fireLag } from "./lag";

const redis = new Redis(process.env.BENCH_REDIS_URL as string);
const instance = process.env.BENCH_INDEX ?? "0";
cron.schedule("* * * * * *", () => {
  const { second, lag } = fireLag();
  // Reported after the lag is taken, so the write is not part of it.
  void redis.rpush("bench:fires", `${instance} ${second} ${lag}`);
});
await redis.ping();
console.log("ready");
