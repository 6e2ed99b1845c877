export { InvalidArgumentError } from "@octo/internal";

/**
 * Thrown by `fill` when an item cannot be stored as it is; nothing of its batch is written.
 * `path` points inside the item (`.orders[2].total`, empty for the item itself).
 */
export class UnencodableItemError extends Error {
  readonly code = "ERR_OCTO_UNENCODABLE_ITEM";
  override readonly name = "UnencodableItemError";

  constructor(
    /** The item's position in the whole fill, from 0. */
    readonly index: number,
    /** Where in the item the value sits, in JavaScript notation; empty for the item itself. */
    readonly path: string,
    /** What cannot be encoded and why. */
    readonly reason: string,
  ) {
    super(
      `item ${index}${path ? ` at ${path}` : ""}: ${reason}; pass plain data (or a codec that handles it)`,
    );
  }
}

/**
 * Thrown by `fill` when its marker was lost before the fill ended (Redis was unreachable for
 * longer than the marker lives, or someone deleted it). The `written` items are queued and stay;
 * the rest were not written.
 */
export class FillInterruptedError extends Error {
  readonly code = "ERR_OCTO_FILL_INTERRUPTED";
  override readonly name = "FillInterruptedError";

  constructor(
    readonly queue: string,
    /** Items this fill wrote before it lost its marker. */
    readonly written: number,
  ) {
    super(
      `fill of queue "${queue}" lost its marker after writing ${written} items; those stay queued, ` +
        "the rest were not written: fill the remainder once the queue has drained",
    );
  }
}
