import { expect, it } from "vitest";
import { recordingLogger, waitUntil } from "../src";

it("waitUntil resolves once its check holds", async () => {
  let calls = 0;
  await waitUntil("the third call", () => ++calls >= 3, 5_000, { intervalMs: 1 });
  expect(calls).toBe(3);
});

it("waitUntil fails naming what it waited for and the last value seen", async () => {
  await expect(waitUntil("a miracle", () => false, 50, { describe: () => ({ seen: 0 }) })).rejects.toThrow(
    /timed out after 50 ms waiting for a miracle; last seen: \{"seen":0\}/,
  );
});

it("recordingLogger keeps every line with its child bindings", () => {
  const logger = recordingLogger();
  logger.child({ job: "a.b" }).warn({ item: 1 }, "failed");
  logger.info("started");
  expect(logger.messages("warn")).toEqual(["failed"]);
  expect(logger.lines[0]?.bindings).toEqual({ job: "a.b" });
  expect(logger.messages("info")).toEqual(["started"]);
});
