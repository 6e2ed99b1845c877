export { AckFailedError } from "./ack-failed-error";
export { type Codec, jsonCodec } from "./codec";
export { FillInterruptedError, InvalidArgumentError, UnencodableItemError } from "./errors";
export type { QueueOptions } from "./options";
export {
  type DeadLetter,
  type Handler,
  type QueueStats,
  RedisQueue,
  type WorkContext,
  type WorkOptions,
  type WorkResult,
} from "./redis-queue";
