import { describeThrown } from "@octo/internal";

/**
 * `work()` rejects with this when Redis kept refusing or failing to record finished items after
 * retries. Those items run again once their leases run out (delivery is at least once).
 */
export class AckFailedError extends Error {
  readonly code = "ERR_OCTO_ACK_FAILED";
  override readonly name = "AckFailedError";

  constructor(
    readonly queue: string,
    /** Items whose handler finished but whose ack did not reach Redis. */
    readonly items: number,
    cause: unknown,
  ) {
    super(
      `queue "${queue}": could not ack ${items} finished item(s) after retrying (${describeThrown(cause)}); ` +
        "they run again when their leases run out",
      { cause },
    );
  }
}
