import { cron, job, query } from "@octo/runner";
import { inject } from "inversify";
import { RunRecorder } from "../recorder.js";
import { schedule } from "../schedule.js";
import { EmailService, type User, UserService } from "../services.js";

/**
 * A query/job pair with property injection: the query lists users once per tick (on one
 * instance); every instance sends their emails from the shared queue.
 */
@cron("users")
export class UserJobs {
  @inject(UserService) private readonly users!: UserService;
  @inject(EmailService) private readonly email!: EmailService;
  @inject(RunRecorder.token) private readonly recorder!: RunRecorder;

  @query("send-notifications")
  async usersToNotify(): Promise<User[]> {
    return this.users.activeUsers();
  }

  @job("send-notifications", schedule("*/7 * * * * *", "0 9 * * *"))
  async sendNotification(user: User): Promise<void> {
    await this.email.send(user.email, "Daily update");
    console.log(`[users.send-notifications] query job item: emailed ${user.email}`);
    await this.recorder.record("users.send-notifications", String(user.id));
  }
}
