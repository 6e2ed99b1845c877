import { describe, expect, it } from "vitest";
import {
  claimTtlMs,
  fireTime,
  retryDelayMs,
  runLeasePeriodMs,
  runLeaseRenewEveryMs,
  shouldRetry,
  startDecision,
  workerRestartDelayMs,
} from "../src/decisions";
import { nextFireAt } from "../src/schedule";

describe("decisions", () => {
  it("the T of a fire is its scheduled second, whatever the milliseconds of the callback", () => {
    expect(fireTime(new Date("2026-01-01T00:00:05.999Z"))).toBe(Date.parse("2026-01-01T00:00:05.000Z"));
    expect(fireTime(new Date("2026-01-01T00:00:05.000Z"))).toBe(Date.parse("2026-01-01T00:00:05.000Z"));
  });

  it("a tick claim lives as long as the run may, and at least the minimum", () => {
    expect(claimTtlMs(3_600_000, 60_000)).toBe(3_600_000);
    expect(claimTtlMs(2_000, 60_000)).toBe(60_000);
  });

  it("a run lease lasts runLease, never longer than maxComputeTime, never under a second", () => {
    expect(runLeasePeriodMs(10_000, 3_600_000)).toBe(10_000);
    expect(runLeasePeriodMs(10_000, 5_000)).toBe(5_000);
    expect(runLeasePeriodMs(10_000, 200)).toBe(1_000);
  });

  it("a run lease is renewed three times per period", () => {
    expect(runLeaseRenewEveryMs(10_000)).toBe(3_333);
    expect(runLeaseRenewEveryMs(1)).toBe(1);
  });

  it("retries wait timeout, then double, and stop after `retries` or an abort", () => {
    expect([1, 2, 3].map((a) => retryDelayMs(1000, a))).toEqual([1000, 2000, 4000]);
    expect(retryDelayMs(1000, 60)).toBe(2 ** 31 - 1);
    expect(shouldRetry(1, 2, false)).toBe(true);
    expect(shouldRetry(3, 2, false)).toBe(false);
    expect(shouldRetry(1, 2, true)).toBe(false);
  });

  it("a failing queue worker restarts after 1 s, doubling up to 30 s", () => {
    expect([1, 2, 3, 6, 20].map(workerRestartDelayMs)).toEqual([1000, 2000, 4000, 30_000, 30_000]);
  });

  it("only an idle runner starts", () => {
    expect(startDecision("idle")).toBe("start");
    for (const s of ["starting", "running", "stopping", "stopped"] as const) {
      expect(startDecision(s)).toBe("already-started");
    }
  });

  it("the next fire of a schedule is computed in its time zone, never null for a valid schedule", () => {
    const next = nextFireAt("0 0 * * *", "Asia/Tokyo");
    expect(next).toBeInstanceOf(Date);
    const local = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Asia/Tokyo",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
    }).format(next as Date);
    expect(local).toBe("00:00");
    expect((next as Date).getTime()).toBeGreaterThan(Date.now());
    expect((next as Date).getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600 * 1000);
  });
});
