import { show } from "./show";

/**
 * Thrown before anything reaches Redis when an argument cannot be used; names it, its value and
 * what to pass instead. Each package bundles its own copy of this class, so match it by `code`
 * (`ERR_OCTO_INVALID_ARGUMENT`), not with `instanceof` across packages.
 */
export class InvalidArgumentError extends TypeError {
  readonly code = "ERR_OCTO_INVALID_ARGUMENT";
  override readonly name = "InvalidArgumentError";

  constructor(
    /** The argument's name as the signature spells it, e.g. `period` or `options.leaseTime`. */
    readonly argument: string,
    /** What was passed. */
    readonly value: unknown,
    /** The whole message: what was wrong, with which value, and what to do. */
    message: string,
  ) {
    super(message);
  }

  /** The usual message: `<argument> <value> is not usable: pass <expected>`. */
  static expected(argument: string, value: unknown, expected: string): InvalidArgumentError {
    return new InvalidArgumentError(
      argument,
      value,
      `${argument} ${show(value)} is not usable: pass ${expected}`,
    );
  }
}
