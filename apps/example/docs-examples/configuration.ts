// Jobs.md, "Configuration".
import { cron, type JobConfig, job } from "@octo/runner";

export const config: JobConfig = { retries: 0, timeout: "10s", maxComputeTime: "1h" };

@cron("configured")
export class ConfiguredJobs {
  // High-priority job with aggressive retries
  @job("critical-sync", "*/5 * * * *", {
    retries: 5,
    timeout: "5s",
    maxComputeTime: "10m",
  })
  async criticalSync() {}

  // Long-running job with no retries
  @job("heavy-computation", "0 2 * * *", {
    retries: 0,
    maxComputeTime: "4h",
  })
  async heavyComputation() {}
}
