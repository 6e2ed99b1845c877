// Jobs.md, "Quick Start".
import "reflect-metadata";
import { cron, daily, JobRunner, job, Logger, query } from "@octo/runner";
import { Container } from "inversify";
import { Redis } from "ioredis";

// 1. Define a job group
@cron("my-jobs")
export class MyJobs {
  @daily("cleanup")
  async cleanupJob() {
    console.log("Running daily cleanup");
    // Your cleanup logic here
  }
}

// 2. Set up the runner
const container = new Container();
const redis = new Redis("redis://localhost:6379");
const logger = new Logger({ name: "jobs" });

const runner = new JobRunner(container);
await runner.start(redis, logger);

// Query-Based Job
@cron("user-jobs")
export class UserJobs {
  // Query generates the list of items
  @query("send-notifications")
  async getUsersToNotify() {
    // Return list of users to process
    return await db.getActiveUsers();
  }

  // Job processes each item from the query
  @job("send-notifications", "0 9 * * *") // Daily at 9 AM
  async sendNotification(user: User) {
    await emailService.send(user.email, "Daily Update");
  }
}
