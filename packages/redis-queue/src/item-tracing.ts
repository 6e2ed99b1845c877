import { type Telemetry, traceItem } from "@octo/internal";
import type { Handler } from "./work-types";

/**
 * `handler` with each call inside an `octo.queue.item` span. A standalone queue's items have no
 * fill trace to join, so each starts a new trace rather than joining whatever context was
 * active when `work()` was called (which would make one trace of every item a worker ever takes).
 */
export function tracedHandler<T>(
  telemetry: Telemetry,
  queue: string,
  retries: number,
  handler: Handler<T>,
): Handler<T> {
  return (item, context) =>
    traceItem(
      telemetry,
      { queue, id: context.id, attempt: context.attempt, retries, parent: null },
      context,
      () => handler(item, context),
    );
}
