import { describe, expect, it } from "vitest";
import { MAX_TIMER_DELAY_MS, parseDuration } from "../src";

function rejection(run: () => unknown): { code?: string; name?: string; message: string } {
  try {
    run();
  } catch (error) {
    return error as { code?: string; name?: string; message: string };
  }
  throw new Error("expected a rejection");
}

describe("parseDuration", () => {
  it("reads ms strings and milliseconds", () => {
    expect(parseDuration("timeout", "30s")).toBe(30_000);
    expect(parseDuration("timeout", "5m")).toBe(300_000);
    expect(parseDuration("timeout", 250)).toBe(250);
  });

  it("rounds fractional values up to whole milliseconds, from numbers and strings", () => {
    expect(parseDuration("leaseTime", 1000.5)).toBe(1001);
    expect(parseDuration("leaseTime", "12.0005s")).toBe(12_001);
    expect(parseDuration("leaseTime", 0.2)).toBe(1);
  });

  it.each([[""], ["   "], ["soon"], [Number.NaN], [Number.POSITIVE_INFINITY], [-5], [0], [null], [{}]])(
    "refuses %j with InvalidArgumentError naming the argument",
    (value) => {
      const error = rejection(() => parseDuration("options.leaseTime", value));
      expect(error.code).toBe("ERR_OCTO_INVALID_ARGUMENT");
      expect(error.name).toBe("InvalidArgumentError");
      expect(error.message).toContain("options.leaseTime");
      expect(error.message).toContain('"30s"');
    },
  );

  it("accepts zero only when asked", () => {
    expect(parseDuration("delay", 0, { allowZero: true })).toBe(0);
    expect(rejection(() => parseDuration("delay", 0)).code).toBe("ERR_OCTO_INVALID_ARGUMENT");
  });

  it("refuses a duration past a timer's limit, saying the limit and why", () => {
    expect(parseDuration("period", MAX_TIMER_DELAY_MS, { max: MAX_TIMER_DELAY_MS })).toBe(MAX_TIMER_DELAY_MS);
    const error = rejection(() =>
      parseDuration("period", "25d", { max: MAX_TIMER_DELAY_MS, maxReason: "it drives a Node.js timer" }),
    );
    expect(error.code).toBe("ERR_OCTO_INVALID_ARGUMENT");
    expect(error.message).toContain(String(MAX_TIMER_DELAY_MS));
    expect(error.message).toContain("it drives a Node.js timer");
  });
});
