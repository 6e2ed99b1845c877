/** A span attribute's value. */
export type TelemetryAttributeValue = string | number | boolean;

/** Span attributes by name. */
export type TelemetryAttributes = Record<string, TelemetryAttributeValue>;

/**
 * A trace context written as text fields (W3C `traceparent` and `tracestate` by default), so it
 * can cross Redis to another process.
 */
export type TraceCarrier = Record<string, string>;

/** The span a traced function runs in. */
export interface TelemetrySpan {
  setAttributes(attributes: TelemetryAttributes): void;
  /** Records `thrown` (anything, not only an Error) as the span's exception and marks the span failed. */
  recordError(thrown: unknown): void;
}

/** How a span starts. */
export interface TelemetrySpanOptions {
  /** `consumer` for a queue item handled, as OpenTelemetry's messaging conventions ask; else `internal`. */
  kind: "internal" | "consumer";
  attributes: TelemetryAttributes;
  /**
   * The span's parent: the context a carrier holds (from `inject()`, possibly in another
   * process); `null` for a new trace; omitted for the context active where the span starts.
   */
  parent?: TraceCarrier | null;
}

/**
 * What the runner and the queue call to trace their work, with no dependency on any tracing
 * library: `@octo/metrics`' `openTelemetry()` implements it with `@opentelemetry/api`.
 */
export interface Telemetry {
  /**
   * Runs `fn` inside a new span, active while `fn` runs, so that spans `fn` starts are its
   * children; ends the span when `fn`'s promise settles and settles the same way.
   */
  span<R>(name: string, options: TelemetrySpanOptions, fn: (span: TelemetrySpan) => Promise<R>): Promise<R>;
  /** The active trace context as a carrier, or undefined when there is none to pass on. */
  inject(): TraceCarrier | undefined;
}

/** Whether `value` has the shape of a `Telemetry`. */
export function isTelemetry(value: unknown): value is Telemetry {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Telemetry).span === "function" &&
    typeof (value as Telemetry).inject === "function"
  );
}

/** What a telemetry option must be, for the error messages of each package. */
export const A_TELEMETRY =
  "an object with span() and inject(), such as openTelemetry() from @octo/metrics, or undefined";

/** The span of one queue item: `octo.queue.item`. */
export const QUEUE_ITEM_SPAN = "octo.queue.item";

/** How an item's attempt ended, as the `octo.queue.item.outcome` attribute says. */
export type ItemOutcome = "processed" | "failed" | "dead-lettered" | "interrupted";

/** One item about to be handled. */
export interface ItemTrace {
  queue: string;
  id: string;
  /** 1-based. */
  attempt: number;
  /** The queue's retries: an attempt past them moves the item to the dead letter when it fails. */
  retries: number;
  /** The trace context of the fill that queued the item, or null when it has none. */
  parent: TraceCarrier | null;
}

/**
 * Runs `handle` inside the item's span, named and tagged after OpenTelemetry's messaging
 * conventions (a `process` operation, kind consumer), and records how the attempt ended. An
 * interrupted attempt (the worker stopped, or the lease may have run out) is not an error: the
 * item goes back unchanged.
 */
export function traceItem(
  telemetry: Telemetry,
  item: ItemTrace,
  context: { readonly signal: AbortSignal },
  handle: () => Promise<void>,
): Promise<void> {
  return telemetry.span(
    QUEUE_ITEM_SPAN,
    {
      kind: "consumer",
      parent: item.parent,
      attributes: {
        "messaging.system": "octo",
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.destination.name": item.queue,
        "messaging.message.id": item.id,
        "octo.queue.item.attempt": item.attempt,
      },
    },
    async (span) => {
      try {
        await handle();
      } catch (thrown) {
        const outcome: ItemOutcome = context.signal.aborted
          ? "interrupted"
          : item.attempt > item.retries
            ? "dead-lettered"
            : "failed";
        span.setAttributes({ "octo.queue.item.outcome": outcome });
        if (outcome !== "interrupted") span.recordError(thrown);
        throw thrown;
      }
      span.setAttributes({ "octo.queue.item.outcome": "processed" });
    },
  );
}
