import { InvalidLoggerOptionError, Logger, type LoggerOptions } from "@octo/logger";
import { describe, expect, it } from "vitest";
import { captureLines } from "./capture-lines";

function constructionError(options: unknown): InvalidLoggerOptionError {
  try {
    new Logger(options as LoggerOptions);
  } catch (error) {
    if (error instanceof InvalidLoggerOptionError) return error;
    throw error;
  }
  throw new Error(`new Logger(${JSON.stringify(options)}) did not throw`);
}

describe("bad options fail at construction", () => {
  it("a missing name names the option and what to pass", () => {
    const error = constructionError({});

    expect(error.code).toBe("ERR_OCTO_INVALID_LOGGER_OPTION");
    expect(error.option).toBe("name");
    expect(error.message).toBe(
      'Logger option "name" is undefined; expected a non-empty string such as "jobs".',
    );
  });

  it.each([[""], ["   "], [42]])("a name of %j is rejected", (name) => {
    const error = constructionError({ name });

    expect(error.option).toBe("name");
    expect(error.value).toBe(name);
  });

  it("an unknown level names the value and lists the valid levels", () => {
    const error = constructionError({ name: "jobs", level: "verbose" });

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("InvalidLoggerOptionError");
    expect(error.option).toBe("level");
    expect(error.message).toBe(
      'Logger option "level" is "verbose"; expected one of trace, debug, info, warn, error, fatal, silent.',
    );
  });

  it("a level in the wrong case is rejected rather than guessed", () => {
    expect(constructionError({ name: "jobs", level: "INFO" }).message).toContain('"INFO"');
  });

  it("a missing options object is rejected", () => {
    expect(constructionError(undefined).option).toBe("options");
  });

  it.each([
    ["verbose", "yes"],
    ["pretty", 1],
    ["redact", "password"],
    ["redact", [""]],
    ["destination", { send() {} }],
  ])("a bad %s (%j) names the option", (option, value) => {
    const error = constructionError({ name: "jobs", [option]: value });

    expect(error.option).toBe(option);
    expect(error.message).toContain(`Logger option "${option}"`);
  });

  it("accepts every pino level", () => {
    for (const level of ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const) {
      expect(new Logger({ name: "jobs", level, destination: captureLines().destination }).level).toBe(level);
    }
  });
});
