// Jobs.md, "Advanced Usage".
import { cron, daily, hourly, JobRunner, job, query } from "@octo/runner";
import { Container, inject } from "inversify";

const container = new Container();

// Multiple Job Groups
@cron("notifications")
export class NotificationJobs {
  @daily("email-digest")
  async sendDigest() {
    // ...
  }
}

@cron("analytics")
export class AnalyticsJobs {
  @hourly("track-metrics")
  async trackMetrics() {
    // ...
  }
}

// Both groups will be automatically registered
export const runner = new JobRunner(container);

// Dependency Injection
@cron("orders")
export class OrderJobs {
  @inject(OrderService) private orderService: OrderService;
  @inject(EmailService) private emailService: EmailService;

  @query("process-pending")
  async getPendingOrders() {
    return this.orderService.findPending();
  }

  @job("process-pending", "*/10 * * * *")
  async processOrder(order: Order) {
    await this.orderService.process(order);
    await this.emailService.sendConfirmation(order);
  }
}

// Complex Scheduling
@cron("complex")
export class ComplexJobs {
  // Every 15 minutes during business hours (9 AM - 5 PM) on weekdays
  @job("sync", "*/15 9-17 * * 1-5")
  async syncData() {
    // ...
  }

  // At 2:30 AM on the 1st and 15th of each month
  @job("semi-monthly", "30 2 1,15 * *")
  async semiMonthlyReport() {
    // ...
  }
}

// Error Handling
@cron("resilient")
export class ResilientJobs {
  @job("resilient-job", "0 * * * *", { retries: 3, timeout: "30s" })
  async resilientJob(item: Item) {
    try {
      await processItem(item);
    } catch (error) {
      // Custom error handling
      if (error.code === "CRITICAL") {
        await alertTeam(error);
        throw error; // Will trigger retry
      }
      // Non-critical errors can be logged without retrying
      logger.warn(error, { item });
    }
  }
}

// Async Generators for Large Datasets (the guide's `Record` is the application's own type,
// which shadows TypeScript's built-in `Record<K, V>` in this module)
interface Record {
  id: number;
}

@cron("big-data")
export class BigDataJobs {
  @query("process-millions")
  async *getRecords() {
    let offset = 0;
    const batchSize = 1000;

    while (true) {
      const batch = await db.getRecords(offset, batchSize);
      if (batch.length === 0) break;

      yield batch;
      offset += batchSize;
    }
  }

  @job("process-millions", "0 3 * * *", { maxComputeTime: "6h" })
  async processRecord(record: Record) {
    await processLargeRecord(record);
  }
}
