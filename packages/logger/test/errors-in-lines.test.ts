import { Logger } from "@octo/logger";
import { describe, expect, it } from "vitest";
import { MAX_CAUSE_DEPTH } from "../src/serialize-error";
import { captureLines, type ErrorInLine } from "./capture-lines";

function setup() {
  const out = captureLines();
  return { out, logger: new Logger({ name: "jobs", destination: out.destination }) };
}

class QueryFailedError extends Error {
  readonly code = "QUERY_FAILED";
}

describe("errors in lines", () => {
  it("writes the error's type, message, stack and own properties", () => {
    const { out, logger } = setup();
    const error = new QueryFailedError("select failed");

    logger.error("Query failed", error);

    const { err } = out.only() as { err: Record<string, unknown> };
    expect(err).toMatchObject({ type: "QueryFailedError", message: "select failed", code: "QUERY_FAILED" });
    expect(err.stack).toBe(error.stack);
    expect(String(err.stack)).toMatch(/errors-in-lines\.test\.ts/);
  });

  it("writes the whole cause chain, each cause with its own stack", () => {
    const { out, logger } = setup();
    const root = new Error("ECONNREFUSED");
    const middle = new Error("connect failed", { cause: root });
    const top = new Error("query failed", { cause: middle });

    logger.error("Query failed", top);

    const err = out.only().err as ErrorInLine;
    expect(err.message).toBe("query failed");
    expect(err.cause?.message).toBe("connect failed");
    expect(err.cause?.stack).toBe(middle.stack);
    expect(err.cause?.cause?.message).toBe("ECONNREFUSED");
    expect(err.cause?.cause?.stack).toBe(root.stack);
    expect(err.cause?.cause?.cause).toBeUndefined();
  });

  it("writes a cause that is not an Error as it is", () => {
    const { out, logger } = setup();

    logger.error(new Error("failed", { cause: { status: 503 } }));

    expect(out.only()).toMatchObject({ err: { cause: { status: 503 } } });
  });

  it("stops a cause chain deeper than MAX_CAUSE_DEPTH with a marker", () => {
    const { out, logger } = setup();
    let error = new Error("level 0");
    for (let level = 1; level <= MAX_CAUSE_DEPTH + 5; level++)
      error = new Error(`level ${level}`, { cause: error });

    logger.error(error);

    let cause = (out.only() as { err: Record<string, unknown> }).err;
    for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) cause = cause.cause as Record<string, unknown>;
    expect(cause.message).toBe(`level ${5}`);
    expect(cause.cause).toMatch(/^\[Truncated/);
  });

  it("marks a circular cause instead of looping", () => {
    const { out, logger } = setup();
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    Object.assign(a, { cause: b });

    logger.error(a);

    expect(out.only()).toMatchObject({ err: { message: "a", cause: { message: "b", cause: "[Circular]" } } });
  });

  it("writes the members of an AggregateError", () => {
    const { out, logger } = setup();

    logger.error("all failed", new AggregateError([new Error("one"), new Error("two")], "2 errors"));

    expect(out.only()).toMatchObject({
      err: { type: "AggregateError", message: "2 errors", errors: [{ message: "one" }, { message: "two" }] },
    });
  });
});
