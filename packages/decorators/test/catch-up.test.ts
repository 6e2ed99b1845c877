import { describe, expect, it } from "vitest";
import { InvalidJobConfigError, type JobConfig, resolveJobConfig } from "../src/index";

const at = "@job (A.run)";

describe("catchUp and rerunCrashed", () => {
  it("are off by default and resolve to milliseconds, a mode and a cap", () => {
    expect(resolveJobConfig({}, at).catchUp).toBeUndefined();
    expect(resolveJobConfig({ catchUp: { window: "6h", runs: "latest" } }, at)).toMatchObject({
      catchUp: { windowMs: 21_600_000, runs: "latest", max: 1 },
    });
    expect(resolveJobConfig({ catchUp: { window: 60_000, runs: "all" } }, at).catchUp).toEqual({
      windowMs: 60_000,
      runs: "all",
      max: 10,
    });
    expect(
      resolveJobConfig({ catchUp: { window: "1h", runs: "all", max: 3 }, rerunCrashed: true }, at),
    ).toMatchObject({ catchUp: { max: 3 }, rerunCrashed: true });
  });

  const bad: Array<[string, unknown, RegExp]> = [
    [
      "not an object",
      { catchUp: "6h" },
      /catchUp "6h": expected an object such as \{ window: "6h", runs: "latest" \}/,
    ],
    ["no window", { catchUp: { runs: "all" } }, /catchUp\.window undefined: expected a positive duration/],
    ["bad window", { catchUp: { window: "soon", runs: "all" } }, /catchUp\.window "soon"/],
    [
      "bad runs",
      { catchUp: { window: "1h", runs: "some" } },
      /catchUp\.runs "some": expected "latest" or "all"/,
    ],
    [
      "bad max",
      { catchUp: { window: "1h", runs: "all", max: 0 } },
      /catchUp\.max 0: expected an integer ≥ 1/,
    ],
    [
      "max with latest",
      { catchUp: { window: "1h", runs: "latest", max: 2 } },
      /runs "latest", which runs one tick/,
    ],
    ["unknown key", { catchUp: { window: "1h", runs: "all", every: 1 } }, /unknown catchUp option "every"/],
    [
      "rerunCrashed not boolean",
      { catchUp: { window: "1h", runs: "all" }, rerunCrashed: "yes" },
      /rerunCrashed "yes": expected true or false/,
    ],
    ["rerunCrashed without catchUp", { rerunCrashed: true }, /rerunCrashed true without catchUp/],
  ];
  for (const [what, config, message] of bad) {
    it(`rejects ${what} with InvalidJobConfigError naming the option`, () => {
      let caught: unknown;
      try {
        resolveJobConfig(config as JobConfig, at);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(InvalidJobConfigError);
      expect((caught as InvalidJobConfigError).code).toBe("ERR_OCTO_INVALID_JOB_CONFIG");
      expect((caught as Error).message).toMatch(message);
      expect((caught as Error).message).toContain(at);
    });
  }
});
