import { cron, daily, job } from "@octo/runner";
import { inject } from "inversify";
import { RunRecorder } from "../recorder.js";
import { demoMode } from "../schedule.js";

/** The simplest kind: one function on a schedule (`@daily`, every 5 s in demo mode). */
const cleanupSchedule = demoMode
  ? (name: string) => job(name, "*/5 * * * * *")
  : (name: string) => daily(name);

@cron("maintenance")
export class MaintenanceJobs {
  @inject(RunRecorder.token) private readonly recorder!: RunRecorder;

  @cleanupSchedule("cleanup")
  async cleanup(): Promise<void> {
    console.log(`[maintenance.cleanup] simple job ran: removed expired sessions`);
    await this.recorder.record("maintenance.cleanup");
  }
}
