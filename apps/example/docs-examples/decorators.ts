// Jobs.md, "Decorators". Method fragments of the guide sit in a class here.
import { cron, daily, hourly, job, monthly, query, weekly } from "@octo/runner";

@cron("notifications")
export class NotificationJobs {
  // Job methods here
}

@cron("orders")
export class OrderJobs {
  @job("process-orders", "*/15 * * * *", {
    retries: 3,
    timeout: "30s",
    maxComputeTime: "2h",
  })
  // biome-ignore lint/correctness/noUnusedFunctionParameters: the guide's signature, kept as printed
  async processOrders(order?: Order) {
    // Process order
  }

  @query("process-orders")
  async getPendingOrders() {
    return await db.orders.findPending();
  }
}

@cron("convenience")
export class ConvenienceJobs {
  @hourly("sync-data")
  async syncData() {
    // Runs at 00:00, 01:00, 02:00, etc.
  }

  @daily("cleanup")
  async cleanup() {
    // Runs at 00:00 every day
  }

  @weekly("reports")
  async generateWeeklyReport() {
    // Runs at 00:00 every Sunday
  }

  @monthly("billing")
  async processBilling() {
    // Runs at 00:00 on the 1st of each month
  }
}
