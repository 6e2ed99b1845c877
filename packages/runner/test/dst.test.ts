// The runner schedules with node-cron's createTask(schedule, fn, { timezone }) and takes T from the
// fire's date; across daylight-saving changes it therefore does what node-cron does. These tests
// pin that behaviour (the README states it), so a node-cron upgrade that changes it fails here.
import { createTask } from "node-cron";
import { afterEach, expect, it, vi } from "vitest";

afterEach(() => {
  vi.useRealTimers();
});

/** The UTC instants at which `schedule` fires in `timezone` over `hours` from `start`, on a fake clock. */
async function firesOver(
  schedule: string,
  timezone: string,
  start: string,
  hours: number,
): Promise<string[]> {
  vi.useFakeTimers({
    now: new Date(start),
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
  });
  const fires: string[] = [];
  const task = createTask(schedule, (ctx) => void fires.push(ctx.date.toISOString()), { timezone });
  await task.start();
  await vi.advanceTimersByTimeAsync(hours * 3_600_000);
  await task.destroy();
  return fires;
}

const NEW_YORK = "America/New_York";

it("a local time that happens twice (clocks go back) runs once, at its first occurrence", async () => {
  // 2026-11-01 in New York: 01:30 EDT is 05:30Z, then 01:30 EST is 06:30Z.
  expect(await firesOver("0 30 1 * * *", NEW_YORK, "2026-11-01T04:00:00Z", 4)).toEqual([
    "2026-11-01T05:30:00.000Z",
  ]);
  // An hourly job: 01:00 local comes twice (05:00Z and 06:00Z) and runs once.
  expect(await firesOver("0 0 * * * *", NEW_YORK, "2026-11-01T03:30:00Z", 4)).toEqual([
    "2026-11-01T04:00:00.000Z",
    "2026-11-01T05:00:00.000Z",
    "2026-11-01T07:00:00.000Z",
  ]);
});

it("an instance started between the two occurrences does not run the second one", async () => {
  expect(await firesOver("0 30 1 * * *", NEW_YORK, "2026-11-01T05:45:00Z", 4)).toEqual([]);
});

it("a local time that does not exist (clocks go forward) does not run that day", async () => {
  // 2026-03-08 in New York: 02:00 EST becomes 03:00 EDT at 07:00Z; 02:30 never happens.
  expect(await firesOver("0 30 2 * * *", NEW_YORK, "2026-03-08T05:00:00Z", 4)).toEqual([]);
  expect(await firesOver("0 0 * * * *", NEW_YORK, "2026-03-08T05:30:00Z", 4)).toEqual([
    "2026-03-08T06:00:00.000Z",
    "2026-03-08T07:00:00.000Z",
    "2026-03-08T08:00:00.000Z",
    "2026-03-08T09:00:00.000Z",
  ]);
});
