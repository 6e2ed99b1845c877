export { InvalidArgumentError } from "@octo/internal";
// Prometheus
export {
  DEFAULT_DURATION_BUCKETS,
  DEFAULT_LAG_BUCKETS,
  type EventSource,
  type MeasuredQueue,
  type MeasuredRunner,
  type MetricsOptions,
} from "./metrics-options";
export { type MetricsHandle, registerMetrics } from "./prometheus";
export { PromClientMissingError } from "./prometheus-client";
// OpenTelemetry
export { type OpenTelemetryOptions, openTelemetry } from "./opentelemetry";
export type { TraceContextPropagator } from "./trace-context";
