export * from "@octo/decorators";
export * from "@octo/logger";
export * from "@octo/redis-lock";
// Both lock and queue export an InvalidArgumentError; the lock's is re-exported above.
export {
  type Codec,
  type DeadLetter,
  type Handler,
  InvalidArgumentError as QueueInvalidArgumentError,
  jsonCodec,
  type QueueEvents,
  type QueueOptions,
  type QueueStats,
  RedisQueue,
  UnencodableItemError,
  type WorkContext,
  type WorkOptions,
  type WorkResult,
} from "@octo/redis-queue";
export * from "./errors";
export type { JobRunnerEvents } from "./events";
export { JobRunner } from "./runner";
export type {
  HistoryEntry,
  HistoryOptions,
  JobContext,
  JobRunnerOptions,
  JobStatus,
  LastRun,
  RunOutcome,
  RunResult,
  RunTrigger,
  TickOutcome,
} from "./types";
