import "reflect-metadata";
import { hostname } from "node:os";
import { registerMetrics } from "@octo/metrics";
import { JobRunner, Logger, RedisQueue } from "@octo/runner";
import { Container } from "inversify";
import { Redis } from "ioredis";
import { register } from "prom-client";
import { serveDashboard } from "./dashboard.js";
import { BigDataJobs } from "./jobs/big-data-jobs.js";
import { FlakyJobs, REDIS } from "./jobs/flaky-jobs.js";
import { MaintenanceJobs } from "./jobs/maintenance-jobs.js";
import { OrderJobs } from "./jobs/order-jobs.js";
import { UserJobs } from "./jobs/user-jobs.js";
import { RunRecorder } from "./recorder.js";
import { findRedis, NoRedisError } from "./redis-discovery.js";
import { demoMode } from "./schedule.js";
import { EmailService, OrderService, UserService } from "./services.js";

// Importing a @cron class registers it; naming them here keeps the imports from being dropped.
export const groups = [MaintenanceJobs, UserJobs, OrderJobs, BigDataJobs, FlakyJobs];

async function main(): Promise<void> {
  let found: Awaited<ReturnType<typeof findRedis>>;
  try {
    found = await findRedis();
  } catch (error) {
    if (error instanceof NoRedisError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const instance = process.env.OCTO_EXAMPLE_INSTANCE ?? `${hostname()}-${process.pid}`;
  const logger = new Logger({ name: "example" });
  const redis = new Redis(found.url);

  const container = new Container();
  container.bind(UserService).toSelf().inSingletonScope();
  container.bind(EmailService).toSelf().inSingletonScope();
  container.bind(OrderService).toSelf().inSingletonScope();
  container.bind(REDIS).toConstantValue(redis);
  container.bind(RunRecorder.token).toConstantValue(new RunRecorder(redis, instance));

  const runner = new JobRunner(container);
  // Counts this instance's runs and items; reads queue depth from Redis when /metrics is scraped.
  const metrics = registerMetrics({ runner, redis, logger });
  await runner.start(redis, logger);
  console.log(
    `example: instance ${instance} started (${demoMode ? "demo schedules, seconds apart" : "production schedules"}) on ${found.source} ${found.url}; Ctrl-C to stop`,
  );

  // The cluster demo serves one dashboard itself and starts its instances without one.
  const stopDashboard =
    process.env.OCTO_EXAMPLE_DASHBOARD === "off" ? async () => {} : await serveDashboard(redis, register);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`example: ${signal} received, finishing runs in progress`);
    await stopDashboard();
    await runner.stop();
    metrics.unregister();
    const stats = await new RedisQueue("payments.import-legacy", redis).stats();
    console.log(`example: dead letters in payments.import-legacy: ${stats.dead}`);
    await redis.quit();
    await found.stop();
    console.log("example: stopped cleanly");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
