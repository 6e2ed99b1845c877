export { InvalidArgumentError, LockLostError } from "./errors";
export {
  acquireFencedLock,
  acquireLock,
  extendLock,
  type FencedLock,
  type LockOptions,
  releaseLock,
} from "./lock";
export type { Duration } from "./validate";
export { type HeldLock, type WithLockOptions, type WithLockResult, withLock } from "./with-lock";
