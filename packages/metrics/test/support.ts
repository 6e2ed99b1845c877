import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

/**
 * An OpenTelemetry SDK as an application sets one up, minus the network: spans go to memory, and
 * the context follows async calls through AsyncLocalStorage.
 */
export function inMemoryTracing(): {
  provider: BasicTracerProvider;
  exporter: InMemorySpanExporter;
  spans(name: string): ReadableSpan[];
} {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    provider,
    exporter,
    spans: (name) => exporter.getFinishedSpans().filter((s) => s.name === name),
  };
}

/** Whether `child` was started with `parent` as its parent span. */
export function isChildOf(child: ReadableSpan, parent: ReadableSpan): boolean {
  return (
    child.spanContext().traceId === parent.spanContext().traceId &&
    child.parentSpanContext?.spanId === parent.spanContext().spanId
  );
}
