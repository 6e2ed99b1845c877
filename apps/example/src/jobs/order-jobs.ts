import { cron, job, query } from "@octo/runner";
import { inject } from "inversify";
import { RunRecorder } from "../recorder.js";
import { schedule } from "../schedule.js";
import { EmailService, type Order, OrderService } from "../services.js";

/**
 * Constructor injection: the services arrive as constructor parameters (decorator metadata,
 * which is why this app is compiled with `tsc`), so the class is easy to test without a runner.
 */
@cron("orders")
export class OrderJobs {
  constructor(
    @inject(OrderService) private readonly orders: OrderService,
    @inject(EmailService) private readonly email: EmailService,
    @inject(RunRecorder.token) private readonly recorder: RunRecorder,
  ) {}

  @query("process-pending")
  async pendingOrders(): Promise<Order[]> {
    return this.orders.findPending();
  }

  @job("process-pending", schedule("*/9 * * * * *", "*/10 * * * *"))
  async processOrder(order: Order): Promise<void> {
    await this.orders.process(order);
    await this.email.send("shop@example.com", `order ${order.id} confirmed`);
    console.log(`[orders.process-pending] injected services: processed ${order.id}`);
    await this.recorder.record("orders.process-pending", order.id);
  }
}
