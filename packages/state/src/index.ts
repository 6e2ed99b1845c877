export { cronToWords } from "./cron-words";
export {
  type HistoryEntry,
  parseHistoryEntry,
  type RunTrigger,
  readHistory,
  type StoredHistoryEntry,
  type TickOutcome,
} from "./history";
export { StateKeys } from "./keys";
export {
  type DeadLetterPage,
  type DeadLetterView,
  type JobView,
  type LastRunView,
  OctoState,
  type QueueView,
} from "./octo-state";
export { type RunRequest, requestRun } from "./run-request";
