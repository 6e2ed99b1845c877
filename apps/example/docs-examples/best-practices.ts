// Jobs.md, "Best Practices".
import { cron, daily, hourly, JobRunner, job, query, RedisQueue } from "@octo/runner";
import { injectable } from "inversify";
import { describe, expect, it, vi } from "vitest";

declare const runner: JobRunner;

@cron("practices")
export class PracticeJobs {
  // 1. Short job - 10 minutes is plenty
  @job("quick-sync", "*/5 * * * *", { maxComputeTime: "10m" })
  async quickSync() {}

  // Long job - give it enough time
  @job("data-migration", "0 2 * * *", { maxComputeTime: "4h" })
  async dataMigration() {}

  // 2. Critical with retries
  @job("payment-processing", "*/5 * * * *", {
    retries: 5,
    timeout: "30s",
  })
  async paymentProcessing() {}

  // Non-critical, no retries
  @job("cache-warmup", "0 * * * *", {
    retries: 0,
  })
  async cacheWarmup() {}

  // 6. Handle Query Failures
  @query("fetch-data")
  async fetchData() {
    try {
      return await externalAPI.getData();
    } catch (error) {
      logger.error("Query failed", error);
      return []; // Return empty array to prevent job failure
    }
  }

  @job("fetch-data", "0 * * * *")
  async handleData(_item: Item) {}
}

// 3. Naming Conventions
@cron("user-management")
export class UserJobs {
  @daily("user-management.cleanup-inactive")
  // Job name will be: "user-management.cleanup-inactive"
  async cleanupInactive() {}
}

// 4. Monitor Queue Length
@cron("monitoring")
export class MonitoringJobs {
  @hourly("check-queues")
  async checkQueues() {
    const queue = new RedisQueue("critical-jobs", redis);
    const length = await queue.length();

    if (length > 1000) {
      await alertTeam("Queue backlog detected");
    }
  }
}

// 5. Graceful Shutdown (awaiting stop() lets runs in progress finish first)
const cleanup = async () => {
  await runner.stop(); // Stop scheduling new jobs
  await redis.quit(); // Close Redis connection
  process.exit(0);
};

process.on("SIGTERM", cleanup);
process.on("SIGINT", cleanup);

// 7. Use Parallelism Appropriately
const queue = new RedisQueue<unknown>("work", redis);
// CPU-intensive: low parallelism
await queue.work(cpuHeavyTask, logger, 2);

// I/O-bound: higher parallelism
await queue.work(apiCall, logger, 20);

// 8. Test Jobs Independently (constructor injection makes the class easy to build by hand)
@injectable()
class TestableOrderJobs {
  constructor(
    private orderService: OrderService,
    private emailService: EmailService,
  ) {}

  async getPendingOrders() {
    return this.orderService.findPending();
  }

  async processOrder(order: Order) {
    await this.orderService.process(order);
    await this.emailService.sendConfirmation(order);
  }
}

describe("OrderJobs", () => {
  it("should process orders", async () => {
    const orderService = {
      findPending: vi.fn(async () => [{ id: "o1" }]),
      process: vi.fn(async () => {}),
    };
    const emailService = { sendConfirmation: vi.fn(async () => {}) };
    const jobs = new TestableOrderJobs(orderService, emailService);
    const orders = await jobs.getPendingOrders();

    for (const order of orders) {
      await jobs.processOrder(order);
    }

    expect(orderService.process).toHaveBeenCalled();
  });
});
