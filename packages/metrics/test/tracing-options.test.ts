import "reflect-metadata";
import { JobRunner, RedisQueue } from "@octo/runner";
import { propagation, trace } from "@opentelemetry/api";
import { Container } from "inversify";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { openTelemetry } from "../src";

const invalid = (argument: string, message: RegExp) =>
  expect.objectContaining({
    code: "ERR_OCTO_INVALID_ARGUMENT",
    argument,
    message: expect.stringMatching(message),
  });

describe("openTelemetry(options)", () => {
  it("takes no options, a tracer, a tracer provider or a propagator", () => {
    for (const options of [
      undefined,
      {},
      { tracer: trace.getTracer("app") },
      { tracerProvider: trace.getTracerProvider() },
      { propagator: propagation },
    ]) {
      const telemetry = openTelemetry(options);
      expect(typeof telemetry.span).toBe("function");
      expect(typeof telemetry.inject).toBe("function");
    }
  });

  it.each([
    ["options", "otel", /options "otel" is not usable: pass an object of OpenTelemetryOptions/],
    ["options.tracer", { tracer: { startSpan() {} } }, /pass an OpenTelemetry Tracer/],
    ["options.tracerProvider", { tracerProvider: 42 }, /options.tracerProvider 42 .*TracerProvider/],
    ["options.propagator", { propagator: { inject() {} } }, /TextMapPropagator \(with inject and extract\)/],
    ["options.tracerName", { tracerName: "app" }, /options.tracerName is not an option of openTelemetry\(\)/],
  ])("refuses a bad %s with a clear error", (argument, options, message) => {
    expect(() => openTelemetry(options as never)).toThrow(invalid(argument, message));
  });

  it("refuses a tracer and a tracer provider together", () => {
    expect(() =>
      openTelemetry({ tracer: trace.getTracer("app"), tracerProvider: trace.getTracerProvider() }),
    ).toThrow(invalid("options.tracerProvider", /a tracer or a tracerProvider, not both/));
  });

  it("without an SDK, spans are no-ops and there is no context to carry", async () => {
    const telemetry = openTelemetry();
    const inside = await telemetry.span("octo.job.run", { kind: "internal", attributes: {} }, async () =>
      telemetry.inject(),
    );
    expect(inside).toBeUndefined();
  });
});

describe("the telemetry option", () => {
  // Never connects: the options are checked before anything reaches Redis.
  const redis = new Redis({ lazyConnect: true });

  it.each([
    ["an object without span()", { inject() {} }],
    ["a string", "otel"],
    ["null", null],
  ])("new JobRunner refuses %s", (_what, telemetry) => {
    expect(() => new JobRunner(new Container(), { telemetry: telemetry as never })).toThrow(
      expect.objectContaining({
        code: "ERR_OCTO_INVALID_ARGUMENT",
        argument: "options.telemetry",
        message: expect.stringMatching(
          /must be an object with span\(\) and inject\(\), such as openTelemetry\(\)/,
        ),
      }),
    );
  });

  it.each([
    ["an object without inject()", { span() {} }],
    ["a function", () => undefined],
  ])("new RedisQueue refuses %s", (_what, telemetry) => {
    expect(() => new RedisQueue("q", redis, { telemetry: telemetry as never })).toThrow(
      invalid("options.telemetry", /pass an object with span\(\) and inject\(\), such as openTelemetry\(\)/),
    );
  });
});
