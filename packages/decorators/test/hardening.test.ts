import "reflect-metadata";
import { fileURLToPath } from "node:url";
import {
  cron,
  getCronGroups,
  getUndecoratedJobClasses,
  InvalidJobConfigError,
  InvalidScheduleError,
  job,
  StandardDecoratorsError,
  StaticJobMethodError,
} from "@octo/decorators";
import { startNodeProcess } from "@octo/testing";
import { Container, inject, injectable } from "inversify";
import { describe, expect, it } from "vitest";

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error("expected a throw");
}

describe("what the decorators refuse, loudly", () => {
  it("a TC39 (standard) method or class decorator call is refused with the tsconfig flags to set", () => {
    const onMethod = thrown(() =>
      (job("x", "* * * * *") as unknown as (v: unknown, c: unknown) => void)(async () => {}, {
        kind: "method",
        name: "run",
        static: false,
      }),
    );
    expect(onMethod).toBeInstanceOf(StandardDecoratorsError);
    expect(onMethod.message).toMatch(/@job\("x"\) on run .*"experimentalDecorators": true/);
    const onClass = thrown(() =>
      (cron("g") as unknown as (v: unknown, c: unknown) => void)(class A {}, { kind: "class", name: "A" }),
    );
    expect(onClass.code).toBe("ERR_OCTO_STANDARD_DECORATORS");
  });

  it("@job on a static method is refused", () => {
    const err = thrown(() => {
      class Reports {
        @job("nightly", "0 0 * * *") static async nightly() {}
        async daily() {}
      }
      return Reports;
    });
    expect(err).toBeInstanceOf(StaticJobMethodError);
    expect(err.message).toMatch(/job "nightly" \(Reports\.nightly\): @job is on a static method/);
  });

  it("a class with @job methods but no @cron is reported by getUndecoratedJobClasses", () => {
    class Forgotten {
      @job("lost", "0 0 * * *") async lost() {}
    }
    void Forgotten;
    expect(getUndecoratedJobClasses()).toContain("Forgotten");
  });

  it.each([
    ["30 days", "30d"],
    ["2^31 ms", 2 ** 31],
  ])("a maxComputeTime of %s (longer than a Node.js timer can wait) is refused", (_, value) => {
    const err = thrown(() => {
      class Long {
        @job("x", "0 0 * * *", { maxComputeTime: value }) async x() {}
      }
      return Long;
    });
    expect(err).toBeInstanceOf(InvalidJobConfigError);
    expect(err.message).toMatch(/maxComputeTime .*too long, at most 2147483647 ms/);
  });

  it.each([
    ["Feb 31", "0 0 31 2 *", /February 31 never occurs, so the job would never run/],
    ["day 32", "0 0 32 * *", /day of month "32" is not valid: day of month must be 1-31/],
    ["minute 61", "61 * * * *", /minute "61" is not valid: minute must be 0-59/],
    ["Infinity", Number.POSITIVE_INFINITY, /has schedule Infinity: expected a cron expression string/],
  ])("a schedule with %s says what is wrong and what is allowed", (_, schedule, message) => {
    const err = thrown(() => {
      class S {
        @job("x", schedule as string) async x() {}
      }
      return S;
    });
    expect(err).toBeInstanceOf(InvalidScheduleError);
    expect(err.message).toMatch(message);
  });

  it("a timeout of Infinity is shown as Infinity", () => {
    const err = thrown(() => {
      class T {
        @job("x", "* * * * *", { timeout: Number.POSITIVE_INFINITY }) async x() {}
      }
      return T;
    });
    expect(err.message).toMatch(/has timeout Infinity/);
  });
});

describe("what the decorators support", () => {
  it("jobs declared on an undecorated base class belong to the @cron subclass", () => {
    class BaseJobs {
      @job("shared", "0 * * * *") async shared() {}
    }
    @cron("derived")
    class DerivedJobs extends BaseJobs {
      @job("own", "0 0 * * *") async own() {}
    }
    const group = getCronGroups().find((g) => g.target === DerivedJobs);
    expect(group?.jobs.map((j) => [j.fullName, j.method]).sort()).toEqual([
      ["derived.own", "own"],
      ["derived.shared", "shared"],
    ]);
    expect(getUndecoratedJobClasses()).not.toContain("BaseJobs");
  });

  it.each(["below", "above"])(
    "@injectable() %s @cron works: the container builds the class with its dependencies",
    async (where) => {
      const declare = () => {
        if (where === "below") {
          @cron(`inj-${where}`)
          @injectable()
          class WithDependency {
            constructor(@inject("greeting") readonly greeting: string) {}
            @job("x", "0 0 * * *") async x() {}
          }
          return WithDependency;
        }
        @injectable()
        @cron(`inj-${where}`)
        class WithDependency {
          constructor(@inject("greeting") readonly greeting: string) {}
          @job("x", "0 0 * * *") async x() {}
        }
        return WithDependency;
      };
      const Jobs = declare();
      getCronGroups();
      await Promise.resolve();
      const container = new Container();
      container.bind("greeting").toConstantValue("hello");
      container.bind(Jobs).toSelf();
      expect(container.get(Jobs).greeting).toBe("hello");
    },
  );
});

describe("one registry per process", () => {
  const fixture = fileURLToPath(new URL("./fixtures/two-copies.mjs", import.meta.url));

  it("the ESM and CJS builds loaded together share their registry", async () => {
    const proc = startNodeProcess(fixture);
    const line = await proc.waitFor(/^groups seen/, 20_000);
    await proc.exited;
    expect(line).toBe("groups seen by the ESM copy: billing.invoice");
  });

  it("a copy that finds a registry of another format refuses to load, naming the fix", async () => {
    const proc = startNodeProcess(fixture, { env: { MISMATCH: "1" } });
    const line = await proc.waitFor(/^(refused|loaded)/, 20_000);
    await proc.exited;
    expect(line).toMatch(
      /^refused ERR_OCTO_REGISTRY_MISMATCH: two incompatible copies of @octo\/decorators .*npm ls @octo\/decorators/,
    );
  });
});
