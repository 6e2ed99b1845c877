import { describe, expect, it } from "vitest";
import { catchUpPlan, latestTicksBetween, mayStillBeStarting } from "../src/decisions";
import { ticksBetween } from "../src/schedule";

/** `next` of a schedule firing every `everyMs` (aligned to 0), counting its calls. */
function every(everyMs: number) {
  const calls = { n: 0 };
  const next = (after: Date) => {
    calls.n++;
    return new Date((Math.floor(after.getTime() / everyMs) + 1) * everyMs);
  };
  return { next, calls };
}

describe("expected ticks between the mark and a claim", () => {
  it("lists the ticks strictly between, ascending", () => {
    const { next } = every(1000);
    expect(latestTicksBetween(next, 10_000, 15_000, 100)).toEqual({
      ticks: [11_000, 12_000, 13_000, 14_000],
      complete: true,
    });
    // Neighbouring ticks: no gap.
    expect(latestTicksBetween(next, 10_000, 11_000, 100)).toEqual({ ticks: [], complete: true });
  });

  it("keeps the latest `cap` of a long gap, says earlier ones were left out, and stays cheap", () => {
    const { next, calls } = every(1000);
    const week = 7 * 24 * 3600 * 1000;
    const result = latestTicksBetween(next, 0, week, 100);
    expect(result.complete).toBe(false);
    expect(result.ticks).toHaveLength(100);
    expect(result.ticks[0]).toBe(week - 100_000);
    expect(result.ticks[99]).toBe(week - 1000);
    // A week of seconds is 604800 ticks; the search steps through a small multiple of the cap.
    expect(calls.n).toBeLessThan(2000);
  });

  it("a sparse schedule over a long gap is complete; exactly `cap` ticks is complete too", () => {
    const { next } = every(24 * 3600 * 1000);
    const result = latestTicksBetween(next, 0, 30 * 24 * 3600 * 1000, 100);
    expect(result.ticks).toHaveLength(29);
    expect(result.complete).toBe(true);
    expect(latestTicksBetween(every(1000).next, 0, 4000, 3)).toEqual({
      ticks: [1000, 2000, 3000],
      complete: true,
    });
  });

  it("a schedule that never fires again ends the search", () => {
    expect(latestTicksBetween(() => null, 0, 60_000, 10)).toEqual({ ticks: [], complete: true });
  });

  it("reads the schedule with node-cron's own matcher: time zones and daylight saving", () => {
    // 02:30 Europe/Berlin does not exist on 2026-03-29 (clocks jump 02:00 → 03:00): node-cron
    // does not fire it that day, so it is not expected either.
    const from = Date.parse("2026-03-27T12:00:00Z");
    const to = Date.parse("2026-03-31T12:00:00Z");
    const { ticks, complete } = ticksBetween("30 2 * * *", "Europe/Berlin", from, to, 100);
    expect(complete).toBe(true);
    expect(ticks.map((t) => new Date(t).toISOString())).toEqual([
      "2026-03-28T01:30:00.000Z",
      "2026-03-30T00:30:00.000Z",
      "2026-03-31T00:30:00.000Z",
    ]);
    const seconds = ticksBetween("* * * * * *", undefined, 1_000_000, 1_006_000, 100);
    expect(seconds.ticks).toEqual([1_001_000, 1_002_000, 1_003_000, 1_004_000, 1_005_000]);
  });

  it("a run may still be waiting for its lease until lockWait + lease period + clock slack after its claim", () => {
    expect(mayStillBeStarting(0, 7999, 1000, 2000, 5000)).toBe(true);
    expect(mayStillBeStarting(0, 8000, 1000, 2000, 5000)).toBe(false);
  });
});

describe("which ticks a catch-up takes", () => {
  const entries = [
    { T: 9000, outcome: "succeeded" },
    { T: 8000, outcome: "missed" },
    { T: 7000, outcome: "crashed" },
    { T: 6000, outcome: "missed" },
    { T: 5000, outcome: "missed" },
    { T: 1000, outcome: "missed" },
  ];
  const all = { windowMs: 6000, runs: "all" as const, max: 10, rerunCrashed: false };

  it("missed ticks within the window, oldest first; crashed ones only when asked", () => {
    expect(catchUpPlan(entries, null, 10_000, all)).toEqual([5000, 6000, 8000]);
    expect(catchUpPlan(entries, null, 10_000, { ...all, rerunCrashed: true })).toEqual([
      5000, 6000, 7000, 8000,
    ]);
  });

  it("never a tick at or before the catch-up mark; latest keeps one, all the latest max", () => {
    expect(catchUpPlan(entries, 6000, 10_000, all)).toEqual([8000]);
    expect(catchUpPlan(entries, null, 10_000, { ...all, runs: "latest", max: 1 })).toEqual([8000]);
    expect(catchUpPlan(entries, null, 10_000, { ...all, max: 2 })).toEqual([6000, 8000]);
    expect(catchUpPlan(entries, 8000, 10_000, all)).toEqual([]);
    // A tick listed twice (missed, then its late run crashed) is taken once.
    expect(catchUpPlan([...entries, { T: 8000, outcome: "missed" }], null, 10_000, all)).toEqual([
      5000, 6000, 8000,
    ]);
  });
});
