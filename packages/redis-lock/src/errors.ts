/** Thrown before anything reaches Redis when an argument cannot be used; names it and its value. */
export class InvalidArgumentError extends TypeError {
  readonly code = "ERR_OCTO_INVALID_ARGUMENT";
  override readonly name = "InvalidArgumentError";

  constructor(
    /** The argument's name as the signature spells it, e.g. `period` or `options.waitFor`. */
    readonly argument: string,
    /** What was passed. */
    readonly value: unknown,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The reason `withLock` gives its `signal` (and `lockLost` in its result) when the lock stopped
 * being held while `fn` ran: deleted, expired, taken by someone else, or not renewable before it
 * would have expired because Redis did not answer.
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
