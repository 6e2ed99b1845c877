import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from "@opentelemetry/api";

/** `@opentelemetry/api`'s module, loaded when `openTelemetry()` is first called. */
export type OpenTelemetryApi = typeof import("@opentelemetry/api");

/** The part of a `TextMapPropagator` a trace context needs to cross Redis. */
export type TraceContextPropagator = Pick<TextMapPropagator, "inject" | "extract">;

const TRACEPARENT = "traceparent";
const TRACESTATE = "tracestate";
const VERSION = "00";
/** `version-traceId-spanId-flags`; later versions may append fields after the flags. */
const TRACEPARENT_PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * W3C Trace Context (`traceparent`, `tracestate`), written and read here rather than through the
 * global propagator: the carrier only travels between Octo Jobs instances through Redis, and a
 * process whose SDK registered no propagator (or a different one) still links its spans.
 */
export function w3cTraceContext(api: OpenTelemetryApi): TraceContextPropagator {
  const { createTraceState, isSpanContextValid, trace } = api;
  return {
    inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
      const span = trace.getSpanContext(context);
      if (!span || !isSpanContextValid(span)) return;
      const flags = (span.traceFlags & 0xff).toString(16).padStart(2, "0");
      setter.set(carrier, TRACEPARENT, `${VERSION}-${span.traceId}-${span.spanId}-${flags}`);
      const state = span.traceState?.serialize();
      if (state) setter.set(carrier, TRACESTATE, state);
    },

    extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
      const header = single(getter.get(carrier, TRACEPARENT));
      const match = header === undefined ? null : TRACEPARENT_PATTERN.exec(header.trim());
      if (!match) return context;
      const [, version, traceId, spanId, flags, rest] = match as unknown as string[];
      // Version ff is invalid; version 00 has nothing after the flags.
      if (version === "ff" || (version === VERSION && rest !== undefined)) return context;
      const state = single(getter.get(carrier, TRACESTATE));
      const span = {
        traceId: traceId as string,
        spanId: spanId as string,
        traceFlags: Number.parseInt(flags as string, 16),
        isRemote: true,
        ...(state ? { traceState: createTraceState(state) } : {}),
      };
      return isSpanContextValid(span) ? trace.setSpanContext(context, span) : context;
    },
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}
