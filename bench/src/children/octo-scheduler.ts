// One service instance running an every-second job through @octo/runner.
import "reflect-metadata";
import * as runnerPackage from "@octo/runner";
import { Container } from "inversify";
import { Redis } from "ioredis";
import { fireLag } from "./lag";

// biome-ignore lint/suspicious/noExplicitAny: checked at run time by the parent before starting us
const { cron, job, JobRunner, silentLogger } = runnerPackage as any;
const redis = new Redis(process.env.BENCH_REDIS_URL as string, { maxRetriesPerRequest: null });
const report = redis.duplicate();
const instance = process.env.BENCH_INDEX ?? "0";

@cron("bench")
class Ticks {
  @job("tick", "* * * * * *")
  async tick(): Promise<void> {
    const { second, lag } = fireLag();
    await report.rpush("bench:fires", `${instance} ${second} ${lag}`);
  }
}

const container = new Container();
container.bind(Ticks).toSelf();
const runner = new JobRunner(container);
await runner.start(redis, silentLogger);
console.log("ready");
process.once("SIGTERM", async () => {
  await runner.stop();
  await report.quit();
  await redis.quit();
  process.exit(0);
});
