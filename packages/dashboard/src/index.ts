// What the page and the API show is read by code shared with the CLI.
export {
  cronToWords,
  type DeadLetterPage,
  type DeadLetterView,
  type JobView,
  type LastRunView,
  type QueueView,
  type RunRequest,
} from "@octo/state";
export { createDashboard, type DashboardHandler } from "./dashboard";
export type { DashboardOptions, MetricsRegistry } from "./options";
