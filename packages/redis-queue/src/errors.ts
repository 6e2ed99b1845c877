/** Thrown before any Redis write when an argument is invalid. */
export class InvalidArgumentError extends Error {
  readonly code = "ERR_OCTO_INVALID_ARGUMENT";
  constructor(
    readonly argument: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`${argument} must be ${expected}, got ${describe(value)}`);
    this.name = "InvalidArgumentError";
  }
}

/** Thrown by `fill` when an item cannot be encoded; nothing of its batch is written. */
export class UnencodableItemError extends Error {
  readonly code = "ERR_OCTO_UNENCODABLE_ITEM";
  constructor(
    readonly index: number,
    reason: string,
  ) {
    super(`item ${index} cannot be encoded: ${reason}; pass plain data or a custom codec`);
    this.name = "UnencodableItemError";
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}
