import { Logger, type LoggerLike } from "@octo/logger";
import { describe, expect, it } from "vitest";
import { captureLines } from "./capture-lines";

function setup() {
  const out = captureLines();
  return { out, logger: new Logger({ name: "jobs", destination: out.destination }) };
}

describe("accepted call forms", () => {
  it("pino style (fields, message) merges the fields into the line", () => {
    const { out, logger } = setup();

    logger.info({ job: "billing.invoice", items: 3 }, "job finished");

    expect(out.only()).toMatchObject({ job: "billing.invoice", items: 3, msg: "job finished" });
  });

  it("pino style fills printf placeholders from the arguments after the message", () => {
    const { out, logger } = setup();

    logger.info({ job: "a" }, "took %d ms for %s", 42, "orders");

    expect(out.only()).toMatchObject({ job: "a", msg: "took 42 ms for orders" });
  });

  it("pino style ({ err }, message) serializes the error under err", () => {
    const { out, logger } = setup();

    logger.warn({ err: new RangeError("too many"), job: "a" }, "retrying");

    expect(out.only()).toMatchObject({
      msg: "retrying",
      job: "a",
      err: {
        type: "RangeError",
        message: "too many",
        stack: expect.stringContaining("RangeError: too many"),
      },
    });
  });

  it("plain (message) writes the message", () => {
    const { out, logger } = setup();

    logger.info("hello");

    expect(out.only()).toMatchObject({ msg: "hello" });
  });

  it("(message, ...args) formats like console.log, appending what no placeholder took", () => {
    const { out, logger } = setup();

    logger.info("processed %d items", 5, "in", 2, "batches");

    expect(out.only()).toMatchObject({ msg: "processed 5 items in 2 batches" });
  });

  it("(message, fields) merges a plain object argument into the line", () => {
    const { out, logger } = setup();

    logger.info("queue filled", { queue: "orders", count: 10 });

    expect(out.only()).toMatchObject({ msg: "queue filled", queue: "orders", count: 10 });
  });

  it("a message without arguments is written as it is, placeholders included", () => {
    const { out, logger } = setup();

    logger.info("100%s sure, 50%% done");

    expect(out.only()).toMatchObject({ msg: "100%s sure, 50%% done" });
  });

  it("the seed's logger.warn(error, { item }) logs the error under err and merges the item", () => {
    const { out, logger } = setup();
    const error = Object.assign(new Error("card declined"), { code: "DECLINED" });

    logger.warn(error, { item: { id: 7 } });

    expect(out.only()).toMatchObject({
      level: "warn",
      msg: "card declined",
      item: { id: 7 },
      err: {
        type: "Error",
        message: "card declined",
        code: "DECLINED",
        stack: expect.stringContaining("card declined"),
      },
    });
  });

  it("the seed's logger.warn(error, { item }) through a LoggerLike variable logs the stack and the item", () => {
    const { out, logger } = setup();
    const like: LoggerLike = logger;
    const caught: unknown = new TypeError("item rejected");

    like.warn(caught, { item: { id: 7 } });

    expect(out.only()).toMatchObject({
      level: "warn",
      msg: "item rejected",
      item: { id: 7 },
      err: { type: "TypeError", stack: expect.stringMatching(/^TypeError: item rejected\n\s+at /) },
    });
  });

  it("the seed's logger.error('Query failed', error) through a LoggerLike variable logs the message and the error", () => {
    const { out, logger } = setup();
    const like: LoggerLike = logger;
    const caught: unknown = new Error("timeout");

    like.error("Query failed", caught);

    expect(out.only()).toMatchObject({
      level: "error",
      msg: "Query failed",
      err: { message: "timeout", stack: expect.stringContaining("Error: timeout") },
    });
  });

  it("the seed's logger.error('Query failed', error) logs the message and the error under err", () => {
    const { out, logger } = setup();

    logger.error("Query failed", new Error("timeout", { cause: new Error("socket hang up") }));

    expect(out.only()).toMatchObject({
      level: "error",
      msg: "Query failed",
      err: { message: "timeout", cause: { message: "socket hang up" } },
    });
  });

  it("(error, message) logs the message and the error", () => {
    const { out, logger } = setup();

    logger.error(new TypeError("bad item"), "item rejected");

    expect(out.only()).toMatchObject({
      msg: "item rejected",
      err: { type: "TypeError", message: "bad item" },
    });
  });

  it("(error) alone uses the error's message as the line's message", () => {
    const { out, logger } = setup();

    logger.error(new Error("boom"));

    expect(out.only()).toMatchObject({ msg: "boom", err: { message: "boom" } });
  });

  it("an Error in another top-level field is serialized with its stack too", () => {
    const { out, logger } = setup();

    logger.warn({ error: new Error("in a field") }, "failed");

    expect(out.only()).toMatchObject({
      error: { type: "Error", message: "in a field", stack: expect.stringContaining("in a field") },
    });
  });

  it("a second Error goes to errors, so neither is lost", () => {
    const { out, logger } = setup();

    logger.error("both failed", new Error("first"), new Error("second"));

    expect(out.only()).toMatchObject({
      msg: "both failed",
      err: { message: "first" },
      errors: [{ message: "second" }],
    });
  });

  it("(fields, undefined) writes the fields with an empty message", () => {
    const { out, logger } = setup();

    logger.info({ job: "a" }, undefined);

    expect(out.only()).toMatchObject({ job: "a", msg: "" });
  });

  it("a non-string, non-object first argument is printed as the message", () => {
    const { out, logger } = setup();

    logger.info(42, "answers");

    expect(out.only()).toMatchObject({ msg: "42 answers" });
  });

  it("does not change the caller's fields object", () => {
    const { logger } = setup();
    const fields = { error: new Error("kept") };

    logger.info(fields, "x");

    expect(fields.error).toBeInstanceOf(Error);
  });
});
