export { AckFailedError } from "./ack-failed-error";
export { type Codec, jsonCodec } from "./codec";
export { InvalidArgumentError, UnencodableItemError } from "./errors";
export {
  type DeadLetter,
  type Handler,
  type QueueOptions,
  type QueueStats,
  RedisQueue,
  type WorkContext,
  type WorkOptions,
  type WorkResult,
} from "./redis-queue";
