import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { captureLines } from "./capture-lines";

type LoggerModule = typeof import("@octo/logger");

function logsThrough(module: LoggerModule): Record<string, unknown> {
  const out = captureLines();
  new module.Logger({ name: "exports", destination: out.destination }).info("works");
  return out.only();
}

describe("the built package", () => {
  it("loads with import() and gives a working Logger", async () => {
    const esm: LoggerModule = await import("@octo/logger");

    expect(logsThrough(esm)).toMatchObject({ name: "exports", msg: "works" });
    expect(new esm.InvalidLoggerOptionError("name", "", "x").code).toBe("ERR_OCTO_INVALID_LOGGER_OPTION");
  });

  it("loads with require() and gives a working Logger", () => {
    const require = createRequire(import.meta.url);
    const cjs = require("@octo/logger") as LoggerModule;

    expect(require.resolve("@octo/logger")).toMatch(/dist[\\/]index\.cjs$/);
    expect(logsThrough(cjs)).toMatchObject({ name: "exports", msg: "works" });
    expect(cjs.silentLogger.child?.({})).toBe(cjs.silentLogger);
  });
});
