export { type Duration, InvalidArgumentError } from "@octo/internal";
export { LockLostError } from "./errors";
export {
  acquireFencedLock,
  acquireLock,
  extendLock,
  type FencedLock,
  type LockOptions,
  releaseLock,
} from "./lock";
export { type HeldLock, type WithLockOptions, type WithLockResult, withLock } from "./with-lock";
