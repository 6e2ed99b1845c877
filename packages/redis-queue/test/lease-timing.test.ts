import { MAX_TIMER_DELAY_MS } from "@octo/internal";
import { describe, expect, it } from "vitest";
import { ExpiryTimer, LeaseClock, leaseMarginMs, renewIntervalMs } from "../src/lease-clock";
import { PaceMeter, takeSize } from "../src/take-size";

describe("lease timing (pure)", () => {
  it("renews every quarter of the lease, never at an interval a Node.js timer cannot wait", () => {
    expect(renewIntervalMs(30_000)).toBe(7500);
    expect(renewIntervalMs(200 * 86_400_000)).toBe(MAX_TIMER_DELAY_MS);
    expect(renewIntervalMs(2)).toBe(1);
  });

  it("gives a lease up locally a margin before Redis could, measured from when the call was sent", () => {
    const clock = new LeaseClock(2000);
    expect(leaseMarginMs(2000)).toBe(110);
    expect(clock.expiryFor(1000)).toBe(1000 + 2000 - 110);
    // Never more than a third of the lease, so a lease renewed on time never looks expired.
    expect(leaseMarginMs(30)).toBe(10);
  });

  it("an expiry timer far in the future waits in steps instead of firing at once", async () => {
    const checks: number[] = [];
    const timer = new ExpiryTimer((now) => {
      checks.push(now);
      return undefined;
    });
    timer.arm(performance.now() + 80 * 86_400_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    timer.stop();
    expect(checks).toEqual([]);
    timer.arm(performance.now() + 20);
    await new Promise((resolve) => setTimeout(resolve, 200));
    timer.stop();
    expect(checks).toHaveLength(1);
  });
});

describe("take size (pure)", () => {
  const base = { parallelism: 1, batchSize: 100, running: 0, buffered: 0, horizonMs: 20 };

  it("takes one item per free handler when nothing has been measured yet", () => {
    expect(takeSize({ ...base, parallelism: 10, pacePerSecond: 0 })).toBe(10);
  });

  it("takes nothing ahead for slow items: the next one would start a second from now", () => {
    expect(takeSize({ ...base, running: 1, pacePerSecond: 1 })).toBe(0);
    expect(takeSize({ ...base, parallelism: 4, running: 3, pacePerSecond: 4 })).toBe(1);
  });

  it("takes ahead what the pace says will start within the horizon, up to batchSize", () => {
    expect(takeSize({ ...base, running: 1, pacePerSecond: 500 })).toBe(10);
    expect(takeSize({ ...base, running: 1, buffered: 4, pacePerSecond: 500 })).toBe(6);
    expect(takeSize({ ...base, running: 1, pacePerSecond: 50_000 })).toBe(100);
  });

  it("counts what takes in flight asked for as held, so a second take asks only for the rest", () => {
    expect(takeSize({ ...base, running: 1, requested: 4, pacePerSecond: 500 })).toBe(6);
    expect(takeSize({ ...base, parallelism: 4, running: 2, requested: 2, pacePerSecond: 0 })).toBe(0);
    expect(takeSize({ ...base, running: 1, pacePerSecond: 5_000 })).toBe(100);
    expect(takeSize({ ...base, running: 1, requested: 100, pacePerSecond: 5_000 })).toBe(0);
  });

  it("measures the pace as items settled per second over windows of 20 ms or more", () => {
    const pace = new PaceMeter(0);
    for (let i = 0; i < 10; i++) pace.settled();
    expect(pace.perSecond(10)).toBe(0);
    expect(pace.perSecond(100)).toBe(100);
    expect(pace.perSecond(1100)).toBe(50);
  });
});
