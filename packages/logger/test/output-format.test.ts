import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify, stripVTControlCharacters } from "node:util";
import { Logger } from "@octo/logger";
import { startNodeProcess } from "@octo/testing";
import { describe, expect, it } from "vitest";
import { captureLines } from "./capture-lines";

const fixture = fileURLToPath(new URL("./fixtures/log-to-stdout.mjs", import.meta.url));

describe("JSON or pretty output", () => {
  it("writes JSON lines to a destination that is not a terminal", () => {
    const out = captureLines();
    new Logger({ name: "jobs", destination: out.destination }).info({ job: "a" }, "json");

    expect(out.raw()).toMatch(/^\{.*\}\n$/);
    expect(out.only()).toMatchObject({ level: "info", name: "jobs", job: "a", msg: "json" });
  });

  it("writes coloured readable lines to a destination that is a terminal", () => {
    const out = captureLines({ isTTY: true });
    new Logger({ name: "jobs", destination: out.destination }).warn({ job: "a" }, "careful");

    expect(out.raw()).toContain("\u001b[");
    const text = stripVTControlCharacters(out.raw());
    expect(text).toMatch(/^\[.+\] WARN \(jobs\): careful\n {4}job: "a"\n$/);
  });

  it("pretty: true forces readable lines, without colours when the destination is not a terminal", () => {
    const out = captureLines();
    new Logger({ name: "jobs", pretty: true, destination: out.destination }).error(
      "Query failed",
      new Error("outer", { cause: new Error("inner") }),
    );

    const text = out.raw();
    expect(text).toMatch(/^\[.+\] ERROR \(jobs\): Query failed\n/);
    expect(text).toContain("Error: outer");
    expect(text).toContain("Error: inner");
    expect(text).not.toContain("\u001b[");
  });

  it("pretty: false forces JSON lines on a terminal", () => {
    const out = captureLines({ isTTY: true });
    new Logger({ name: "jobs", pretty: false, destination: out.destination }).info("json");

    expect(out.only()).toMatchObject({ msg: "json" });
  });

  it("writes JSON lines to standard output when it is piped", async () => {
    const child = startNodeProcess(fixture);

    expect(await child.exited).toBe(0);
    const lines = child.output().trim().split("\n");
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: "info", name: "fixture", msg: "to stdout", password: "[Redacted]" }),
    ]);
  });

  it("writes readable lines to standard output when it is a terminal", async () => {
    // `script` runs the fixture with a pseudo-terminal as its standard output.
    const { stdout } = await promisify(execFile)("script", [
      "-qec",
      `${process.execPath} ${fixture}`,
      "/dev/null",
    ]);

    expect(stdout).toMatch(/INFO.*\(fixture\).*to stdout/);
    expect(stdout).not.toContain('"msg"');
  });
});
