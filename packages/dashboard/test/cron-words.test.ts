import { cronToWords } from "@octo/dashboard";
import { describe, expect, it } from "vitest";

describe("cronToWords", () => {
  it.each([
    ["* * * * *", "every minute"],
    ["*/5 * * * *", "every 5 minutes"],
    ["0 * * * *", "every hour at minute 0"],
    ["15,45 * * * *", "at minute 15 and minute 45"],
    ["0 3 * * *", "at 03:00, every day"],
    ["30 2 * * 1-5", "at 02:30, Monday through Friday"],
    ["0 9 * * mon,wed,fri", "at 09:00, Monday, Wednesday and Friday"],
    ["0 0 1 * *", "at 00:00, on day 1 of the month"],
    ["0 0 1,15 1 *", "at 00:00, on day 1 and day 15 of the month, in January"],
    ["0 0 13 * 5", "at 00:00, on day 13 of the month, if it is Friday"],
    ["0 12 * jan-mar 0", "at 12:00, Sunday, in January through March"],
    ["0 12 * * 7", "at 12:00, Sunday"],
    ["*/15 9-17 * * 1-5", "every 15 minutes, at hours 9 through 17, Monday through Friday"],
    ["0 */2 * * *", "at minute 0, every 2 hours"],
    ["*/10 * * * * *", "every 10 seconds"],
    ["* * * * * *", "every second"],
    ["5 * * * * *", "every minute at second 5"],
    ["30 0 4 * * *", "at 04:00:30, every day"],
    ["0 10-40/10 * * * *", "every 10 minutes from 10 through 40"],
  ])("%s → %s", (expression, words) => {
    expect(cronToWords(expression)).toBe(words);
  });

  it("gives back the expression rather than a guess for what it cannot read", () => {
    for (const expression of ["0 0 L * *", "0 0 * * 1#2", "0 0 15W * *", "1 2 3", "0 0 * * funday"]) {
      expect(cronToWords(expression)).toBe(`cron ${expression}`);
    }
  });
});
