export { cronToWords } from "./cron-words";
export { createDashboard, type DashboardHandler } from "./dashboard";
export type { DashboardOptions, MetricsRegistry } from "./options";
export type { RunRequest } from "./run-request";
export type { DeadLetterPage, DeadLetterView, JobView, LastRunView, QueueView } from "./source";
