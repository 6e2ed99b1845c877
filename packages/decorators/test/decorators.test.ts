import "reflect-metadata";
import {
  cron,
  DuplicateJobError,
  daily,
  getCronGroups,
  hourly,
  InvalidJobConfigError,
  InvalidNameError,
  InvalidScheduleError,
  job,
  monthly,
  OrphanQueryError,
  query,
  weekly,
} from "@octo/decorators";
import { Container } from "inversify";
import { describe, expect, it } from "vitest";

describe("registration", () => {
  it("registers a @cron class with full names, defaults and the convenience schedules", () => {
    @cron("reports")
    class ReportJobs {
      @hourly("h") async h() {}
      @daily("reports.d", { retries: 2, timeout: "5s", timezone: "Europe/Berlin" }) async d() {}
      @weekly("w") async w() {}
      @monthly("m", { maxComputeTime: "2h", parallelism: 4 }) async m() {}
      @query("h") async q() {
        return [1];
      }
    }
    const g = getCronGroups().find((x) => x.target === ReportJobs);
    expect(g?.jobs.map((j) => [j.fullName, j.schedule, j.queryMethod])).toEqual([
      ["reports.h", "0 * * * *", "q"],
      ["reports.d", "0 0 * * *", undefined],
      ["reports.w", "0 0 * * 0", undefined],
      ["reports.m", "0 0 1 * *", undefined],
    ]);
    expect(g?.jobs[0]?.config).toEqual({
      retries: 0,
      timeout: 10_000,
      maxComputeTime: 3_600_000,
      timezone: undefined,
      parallelism: 1,
    });
    expect(g?.jobs[1]?.config).toMatchObject({ retries: 2, timeout: 5000, timezone: "Europe/Berlin" });
    expect(g?.jobs[3]?.config).toMatchObject({ maxComputeTime: 7_200_000, parallelism: 4 });
  });

  it("makes the class injectable so a container can resolve it", () => {
    @cron("inj")
    class InjJobs {
      @job("a", "* * * * *") async a() {}
    }
    const c = new Container();
    c.bind(InjJobs).toSelf();
    expect(c.get(InjJobs)).toBeInstanceOf(InjJobs);
  });
});

const table: [string, () => unknown, Function, RegExp][] = [
  [
    "minute out of range",
    () => {
      class BillingJobs {
        @job("invoice", "61 * * * *") async invoice() {}
      }
      return BillingJobs;
    },
    InvalidScheduleError,
    /job "invoice" \(BillingJobs\.invoice\) has schedule "61 \* \* \* \*": minute "61" .*minute must be 0-59/,
  ],
  [
    "wrong field count",
    () => {
      class A {
        @job("x", "* * *") async run() {}
      }
      return A;
    },
    InvalidScheduleError,
    /job "x" \(A\.run\) has schedule "\* \* \*": expected 5 or 6 fields/,
  ],
  [
    "hour out of range",
    () => {
      class A {
        @job("x", "0 25 * * *") async run() {}
      }
      return A;
    },
    InvalidScheduleError,
    /\(A\.run\) has schedule "0 25 \* \* \*": hour "25".*hour must be 0-23/,
  ],
  [
    "negative retries",
    () => {
      class A {
        @job("x", "* * * * *", { retries: -1 }) async run() {}
      }
      return A;
    },
    InvalidJobConfigError,
    /job "x" \(A\.run\) has retries -1: expected an integer ≥ 0/,
  ],
  [
    "fractional retries",
    () => {
      class A {
        @daily("x", { retries: 1.5 }) async run() {}
      }
      return A;
    },
    InvalidJobConfigError,
    /\(A\.run\) has retries 1.5/,
  ],
  [
    "bad timeout",
    () => {
      class A {
        @hourly("x", { timeout: "soon" }) async run() {}
      }
      return A;
    },
    InvalidJobConfigError,
    /job "x" \(A\.run\) has timeout "soon": expected a positive duration/,
  ],
  [
    "bad maxComputeTime",
    () => {
      class A {
        @weekly("x", { maxComputeTime: 0 }) async run() {}
      }
      return A;
    },
    InvalidJobConfigError,
    /\(A\.run\) has maxComputeTime 0/,
  ],
  [
    "bad timezone",
    () => {
      class A {
        @monthly("x", { timezone: "Mars/Olympus" }) async run() {}
      }
      return A;
    },
    InvalidJobConfigError,
    /\(A\.run\) has timezone "Mars\/Olympus": expected an IANA time zone/,
  ],
  [
    "bad parallelism",
    () => {
      class A {
        @job("x", "* * * * *", { parallelism: 0 }) async run() {}
      }
      return A;
    },
    InvalidJobConfigError,
    /\(A\.run\) has parallelism 0/,
  ],
  [
    "unknown option",
    () => {
      class A {
        @job("x", "* * * * *", { retry: 1 } as never) async run() {}
      }
      return A;
    },
    InvalidJobConfigError,
    /\(A\.run\) has unknown config option "retry"/,
  ],
  [
    "empty job name",
    () => {
      class A {
        @job("", "* * * * *") async run() {}
      }
      return A;
    },
    InvalidNameError,
    /job "" \(A\.run\) has job name ""/,
  ],
  [
    "two jobs of one name in a class",
    () => {
      class A {
        @job("x", "* * * * *") async one() {}
        @job("x", "* * * * *") async two() {}
      }
      return A;
    },
    DuplicateJobError,
    /job "x" \(A\.two\): A\.one already declares job "x"/,
  ],
  [
    "two jobs with one full name via prefix",
    () => {
      @cron("g")
      class A {
        @job("x", "* * * * *") async one() {}
        @job("g.x", "* * * * *") async two() {}
      }
      return A;
    },
    DuplicateJobError,
    /job "g\.x" \(A\.two\) clashes with A\.one/,
  ],
  [
    "query without job",
    () => {
      @cron("g2")
      class A {
        @query("lonely") async q() {
          return [];
        }
      }
      return A;
    },
    OrphanQueryError,
    /query "lonely" \(A\.q\) has no @job named "lonely"/,
  ],
];

describe("bad inputs throw when the decorator runs", () => {
  it.each(table)("%s", (_label, declare, errorClass, message) => {
    let caught: unknown;
    try {
      declare();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(errorClass);
    expect((caught as Error).message).toMatch(message);
    expect((caught as { code: string }).code).toMatch(/^ERR_OCTO_/);
  });
});
