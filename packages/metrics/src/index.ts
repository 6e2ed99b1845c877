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
// OpenTelemetry
export { type OpenTelemetryOptions, openTelemetry } from "./opentelemetry";
export { MissingPeerDependencyError } from "./optional-peer";
export { type MetricsHandle, registerMetrics } from "./prometheus";
export type { TraceContextPropagator } from "./trace-context";
