/**
 * The reason `withLock` gives its `signal` (and `lockLost` in its result) when the lock stopped
 * being held while `fn` ran: deleted, expired, taken by someone else, or not renewable before it
 * could have expired because Redis did not answer.
 */
export class LockLostError extends Error {
  readonly code = "ERR_OCTO_LOCK_LOST";
  override readonly name = "LockLostError";

  constructor(
    readonly group: string,
    readonly owner: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
