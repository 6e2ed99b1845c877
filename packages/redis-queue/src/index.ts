export { AckFailedError } from "./ack-failed-error";
export type { AddOptions, AddResult } from "./add";
export { type Codec, jsonCodec } from "./codec";
export type {
  DeadLetter,
  DeadLetterPage,
  DeadLetterPageOptions,
  LegacyDeadLetter,
} from "./dead-letters";
export { FillInterruptedError, InvalidArgumentError, UnencodableItemError } from "./errors";
export type { QueueEvents } from "./events";
export type { BackoffOptions, QueueOptions } from "./options";
export {
  type Handler,
  type QueueStats,
  RedisQueue,
  type WorkContext,
  type WorkOptions,
  type WorkResult,
} from "./redis-queue";
