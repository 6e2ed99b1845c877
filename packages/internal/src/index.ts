export { MONTH_NAMES } from "./calendar";
export { assertRedisClient, duplicateClient } from "./client";
export { type Duration, MAX_TIMER_DELAY_MS, type ParseDurationOptions, parseDuration } from "./durations";
export { type EventListener, type EventSource, TypedEmitter } from "./events";
export { InvalidArgumentError } from "./invalid-argument-error";
export { childLogger, type LogFn, type LoggerLike, silentLogger } from "./logger-like";
export { assertKeyName, assertNonEmptyString, hashTag, resolvePrefix } from "./names";
export { defineScripts, type ScriptCall, type ScriptDefinition } from "./scripts";
export { show } from "./show";
export {
  A_TELEMETRY,
  type ItemOutcome,
  type ItemTrace,
  isTelemetry,
  QUEUE_ITEM_SPAN,
  type Telemetry,
  type TelemetryAttributes,
  type TelemetryAttributeValue,
  type TelemetrySpan,
  type TelemetrySpanOptions,
  type TraceCarrier,
  traceItem,
} from "./telemetry";
export { describeThrown, toError } from "./thrown";
