// Jobs.md, "JobRunner".
import { JobRunner, Logger } from "@octo/runner";
import { Container } from "inversify";
import { Redis } from "ioredis";

const container = new Container();
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const logger = new Logger({ name: "job-runner" });

const runner = new JobRunner(container);

// Start all jobs
await runner.start(redis, logger);

// Manually trigger a job
runner.run("my-jobs.cleanup");

// Stop all jobs
runner.stop();

// Stop specific job
runner.stop("notifications.send-daily");

// Graceful shutdown
process.on("SIGTERM", () => {
  runner.stop();
  redis.quit();
});
