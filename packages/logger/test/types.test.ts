import { type LogFn, Logger, type LoggerLike, type LogMethod, silentLogger } from "@octo/logger";
import { pino } from "pino";
import { describe, expectTypeOf, it } from "vitest";

// These are checked by `tsc --noEmit` (the package's typecheck), which includes the test folder.
describe("LoggerLike compatibility", () => {
  it("our Logger is a LoggerLike", () => {
    expectTypeOf<Logger>().toExtend<LoggerLike>();
    const asLike: LoggerLike = new Logger({ name: "types", level: "silent" });
    expectTypeOf(asLike.warn).toEqualTypeOf<LogFn>();
  });

  it("a plain pino logger is a LoggerLike, so users can pass their own", () => {
    expectTypeOf<pino.Logger>().toExtend<LoggerLike>();
    const own: LoggerLike = pino({ level: "silent" });
    const child: LoggerLike | undefined = own.child?.({ job: "a" });
    expectTypeOf(child).toExtend<LoggerLike | undefined>();
  });

  it("child() of our Logger is our Logger", () => {
    expectTypeOf<ReturnType<Logger["child"]>>().toEqualTypeOf<Logger>();
  });

  it("LogFn takes pino's forms and the plain ones", () => {
    const log: LogFn = silentLogger.info;
    log("plain");
    log("format %s", "arg");
    log({ job: "a" }, "pino style");
    log(new Error("seed"), "error first");
    log("Query failed", new Error("seed"));
  });

  it("Logger methods also take the seed's (error, fields) form, with the caught error unknown", () => {
    const logger = new Logger({ name: "types", level: "silent" });
    const caught: unknown = new Error("seed");
    logger.warn(caught, { item: { id: 1 } });
    logger.error("Query failed", caught);
    expectTypeOf<LogMethod>().toExtend<LogFn>();
    // @ts-expect-error LogFn keeps pino's shape, so it does not take (error, fields).
    silentLogger.warn(caught, { item: { id: 1 } });
  });

  it("an object missing a level method is not a LoggerLike", () => {
    // @ts-expect-error `error` is missing, so this must not compile.
    const broken: LoggerLike = { debug() {}, info() {}, warn() {} };
    expectTypeOf(broken).toExtend<LoggerLike>();
  });
});
