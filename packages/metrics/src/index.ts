export { type OpenTelemetryOptions, openTelemetry } from "./opentelemetry";
export type { TraceContextPropagator } from "./trace-context";
