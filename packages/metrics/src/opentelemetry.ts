import type { Telemetry, TelemetrySpan, TelemetrySpanOptions, TraceCarrier } from "@octo/internal";
import { describeThrown, InvalidArgumentError, show, toError } from "@octo/internal";
import type { Span, Tracer, TracerProvider } from "@opentelemetry/api";
import { loadPeer } from "./optional-peer";
import { type OpenTelemetryApi, type TraceContextPropagator, w3cTraceContext } from "./trace-context";

/** The name tracers are asked for under: this package's. */
export const TRACER_NAME = "@octo/metrics";

/** Options of `openTelemetry(options)`. */
export interface OpenTelemetryOptions {
  /** The tracer spans start on. Default: one from `tracerProvider`. */
  tracer?: Tracer;
  /**
   * Where the default tracer comes from. Default: the global provider
   * (`trace.getTracerProvider()`, what an SDK registers), so spans are no-ops until one is.
   */
  tracerProvider?: TracerProvider;
  /**
   * How a fill's trace context is written into Redis and read back. Default: W3C Trace Context
   * (`traceparent`, `tracestate`), independent of the global propagator; pass `propagation` from
   * `@opentelemetry/api` to use the one your SDK registered (baggage too).
   */
  propagator?: TraceContextPropagator;
}

const KNOWN_OPTIONS = new Set(["tracer", "tracerProvider", "propagator"]);

/**
 * The telemetry the runner (`new JobRunner(container, { telemetry })`) and the queue
 * (`new RedisQueue(name, redis, { telemetry })`) take: an `octo.job.run` span per run and an
 * `octo.queue.item` span per item, through `@opentelemetry/api` only, so nothing is recorded
 * unless the application installs an OpenTelemetry SDK. Throws `InvalidArgumentError`
 * (`ERR_OCTO_INVALID_ARGUMENT`) for options it cannot use, and `MissingPeerDependencyError` when
 * `@opentelemetry/api` is not installed.
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): Telemetry {
  const { tracer, propagator } = resolveOptions(options);
  const api = openTelemetryApi();
  const { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind } = api;
  const kinds = { internal: SpanKind.INTERNAL, consumer: SpanKind.CONSUMER } as const;
  return {
    span<R>(
      name: string,
      spanOptions: TelemetrySpanOptions,
      fn: (span: TelemetrySpan) => Promise<R>,
    ): Promise<R> {
      const parent =
        spanOptions.parent === undefined
          ? context.active()
          : spanOptions.parent === null
            ? ROOT_CONTEXT
            : propagator.extract(ROOT_CONTEXT, spanOptions.parent, defaultTextMapGetter);
      return tracer.startActiveSpan(
        name,
        { kind: kinds[spanOptions.kind], attributes: spanOptions.attributes },
        parent,
        async (span) => {
          try {
            return await fn(telemetrySpan(api, span));
          } finally {
            span.end();
          }
        },
      );
    },
    inject(): TraceCarrier | undefined {
      const carrier: TraceCarrier = {};
      propagator.inject(context.active(), carrier, defaultTextMapSetter);
      return Object.keys(carrier).length > 0 ? carrier : undefined;
    },
  };
}

/** `@opentelemetry/api`, an optional peer: loaded on first use, so importing this package never needs it. */
function openTelemetryApi(): OpenTelemetryApi {
  return loadPeer<OpenTelemetryApi>(
    "@opentelemetry/api",
    "openTelemetry()",
    "npm install @opentelemetry/api",
  );
}

function telemetrySpan(api: OpenTelemetryApi, span: Span): TelemetrySpan {
  return {
    setAttributes(attributes) {
      span.setAttributes(attributes);
    },
    recordError(thrown) {
      span.recordException(toError(thrown));
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: describeThrown(thrown) });
    },
  };
}

function resolveOptions(options: unknown): { tracer: Tracer; propagator: TraceContextPropagator } {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw InvalidArgumentError.expected(
      "options",
      options,
      "an object of OpenTelemetryOptions, or undefined",
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new InvalidArgumentError(
        `options.${key}`,
        (options as Record<string, unknown>)[key],
        `options.${key} is not an option of openTelemetry(): pass tracer, tracerProvider or propagator`,
      );
    }
  }
  const { tracer, tracerProvider, propagator } = options as OpenTelemetryOptions;
  if (tracer !== undefined && tracerProvider !== undefined) {
    throw new InvalidArgumentError(
      "options.tracerProvider",
      tracerProvider,
      "openTelemetry() takes a tracer or a tracerProvider, not both: the tracer would be used and the provider ignored; pass one",
    );
  }
  if (tracer !== undefined && !hasFunction(tracer, "startActiveSpan")) {
    throw InvalidArgumentError.expected(
      "options.tracer",
      tracer,
      'an OpenTelemetry Tracer (trace.getTracer("my-service")), or undefined',
    );
  }
  if (tracerProvider !== undefined && !hasFunction(tracerProvider, "getTracer")) {
    throw InvalidArgumentError.expected(
      "options.tracerProvider",
      tracerProvider,
      "an OpenTelemetry TracerProvider (with getTracer), or undefined",
    );
  }
  if (
    propagator !== undefined &&
    !(hasFunction(propagator, "inject") && hasFunction(propagator, "extract"))
  ) {
    throw new InvalidArgumentError(
      "options.propagator",
      propagator,
      `options.propagator ${show(propagator)} is not usable: pass a TextMapPropagator (with inject and extract), such as propagation from @opentelemetry/api, or undefined`,
    );
  }
  const api = openTelemetryApi();
  return {
    tracer: tracer ?? (tracerProvider ?? api.trace.getTracerProvider()).getTracer(TRACER_NAME),
    propagator: propagator ?? w3cTraceContext(api),
  };
}

function hasFunction(value: unknown, name: string): boolean {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as Record<string, unknown>)[name] === "function"
  );
}
