import "reflect-metadata";
import { cron, JobRunner, job } from "@octo/runner";
import { recordingLogger, startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, expect, it, vi } from "vitest";

@cron("said")
class SaidJobs {
  @job("new-year", "0 0 1 1 *", { timezone: "Asia/Tokyo" })
  async newYear() {}

  @job("every-second", "* * * * * *")
  async everySecond() {}
}
void SaidJobs;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

/** Next 1 January, 00:00 in Tokyo. */
function nextNewYearInTokyo(): Date {
  const year = Number(
    new Intl.DateTimeFormat("en", { timeZone: "Asia/Tokyo", year: "numeric" }).format(new Date()),
  );
  // 00:00 in Tokyo (UTC+9, no daylight saving) is 15:00 UTC the day before.
  return new Date(Date.UTC(year + 1, 0, 1) - 9 * 3600_000);
}

it("start() logs every job it scheduled with its schedule, time zone and next fire", async () => {
  const logger = recordingLogger();
  const runner = new JobRunner(new Container());
  await runner.start(redis.client(), logger);
  await runner.stop();
  const scheduled = logger.lines
    .filter((l) => l.level === "info" && l.message === "scheduled job")
    .map((l) => l.args[0]);
  expect(scheduled).toContainEqual({
    job: "said.new-year",
    schedule: "0 0 1 1 *",
    timezone: "Asia/Tokyo",
    nextFireAt: nextNewYearInTokyo().toISOString(),
  });
  expect(scheduled).toContainEqual(
    expect.objectContaining({ job: "said.every-second", schedule: "* * * * * *" }),
  );
});

it("status() tells each job's next fire, computed in its time zone", async () => {
  const runner = new JobRunner(new Container());
  await runner.start(redis.client());
  try {
    const status = await runner.status();
    expect(status.find((s) => s.job === "said.new-year")?.nextFireAt).toEqual(nextNewYearInTokyo());
    const everySecond = status.find((s) => s.job === "said.every-second")?.nextFireAt;
    expect(everySecond).toBeInstanceOf(Date);
    expect((everySecond as Date).getTime() - Date.now()).toBeLessThanOrEqual(1000);
  } finally {
    await runner.stop();
  }
});

it("a fire missed because the event loop was blocked is logged through the runner's logger, not node-cron's console", async () => {
  const logger = recordingLogger();
  const consoleWarn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const runner = new JobRunner(new Container());
  try {
    await runner.start(redis.client(), logger);
    const until = Date.now() + 3500;
    while (Date.now() < until) {
      // Blocks the event loop past node-cron's tolerance, as a long synchronous task would.
    }
    await waitUntil(
      "a missed fire is logged",
      () => logger.lines.some((l) => l.level === "warn" && /missed/.test(l.message)),
      5000,
    );
    expect(consoleWarn.mock.calls.filter((c) => String(c[0]).includes("NODE-CRON"))).toEqual([]);
  } finally {
    consoleWarn.mockRestore();
    await runner.stop();
  }
});
