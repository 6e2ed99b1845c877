import { type LogFn, Logger, type LoggerLike, silentLogger } from "@octo/logger";
import { pino } from "pino";
import { describe, expectTypeOf, it } from "vitest";

// Checked by `tsc` in vitest's typecheck mode (a `.test-d.ts` file), and by the package's typecheck.

/** The jobs guide's two error-handling calls, written exactly as it prints them. */
async function seedErrorHandling(logger: LoggerLike, item: { id: number }, work: () => Promise<void>) {
  try {
    await work();
  } catch (error) {
    // `error` is `unknown` here (strict mode), as in any service that copies the guide.
    logger.warn(error, { item });
    logger.error("Query failed", error);
  }
}

/** pino 8 and 9 type their methods without generics; a user's logger of those versions must fit too. */
interface PinoBefore10LogFn {
  // biome-ignore lint/suspicious/noExplicitAny: as pino 8 and 9 declare it.
  <T extends object>(obj: T, msg?: string, ...args: any[]): void;
  // biome-ignore lint/suspicious/noExplicitAny: as pino 8 and 9 declare it.
  (obj: unknown, msg?: string, ...args: any[]): void;
  // biome-ignore lint/suspicious/noExplicitAny: as pino 8 and 9 declare it.
  (msg: string, ...args: any[]): void;
}
interface PinoBefore10 {
  debug: PinoBefore10LogFn;
  info: PinoBefore10LogFn;
  warn: PinoBefore10LogFn;
  error: PinoBefore10LogFn;
  child(bindings: Record<string, unknown>): PinoBefore10;
}

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

  it("a pino logger typed by pino 8 or 9 is a LoggerLike too", () => {
    expectTypeOf<PinoBefore10>().toExtend<LoggerLike>();
  });

  it("child() of our Logger is our Logger", () => {
    expectTypeOf<ReturnType<Logger["child"]>>().toEqualTypeOf<Logger>();
  });

  it("the seed's warn(error, { item }) and error('Query failed', error) type-check through a LoggerLike", async () => {
    const item = { id: 1 };
    const fail = () => Promise.reject(new Error("seed"));
    await seedErrorHandling(silentLogger, item, fail);
    await seedErrorHandling(pino({ level: "silent" }), item, fail);
    await seedErrorHandling(new Logger({ name: "types", level: "silent" }), item, fail);
  });

  it("the seed's forms type-check on our Logger, with the caught error unknown", () => {
    const logger = new Logger({ name: "types", level: "silent" });
    const caught: unknown = new Error("seed");
    logger.warn(caught, { item: { id: 1 } });
    logger.error("Query failed", caught);
  });

  it("LogFn takes pino's forms and the plain ones", () => {
    const log: LogFn = silentLogger.info;
    log("plain");
    log("format %s", "arg");
    log({ job: "a" }, "pino style");
    log({ job: "a" }, "took %d ms", 42);
    log(new Error("seed"), "error first");
    log(new Error("seed"), { item: { id: 1 } });
    log("Query failed", new Error("seed"));
  });

  it("an object whose methods take only a string is not a LoggerLike, since the packages log pino style", () => {
    const textOnly = {
      debug(_message: string) {},
      info(_message: string) {},
      warn(_message: string) {},
      error(_message: string) {},
    };
    // @ts-expect-error `warn({ err }, "message")` would not fit these methods, so this must not compile.
    const broken: LoggerLike = textOnly;
    expectTypeOf(broken).toExtend<LoggerLike>();
  });

  it("an object missing a level method is not a LoggerLike", () => {
    // @ts-expect-error `error` is missing, so this must not compile.
    const broken: LoggerLike = { debug() {}, info() {}, warn() {} };
    expectTypeOf(broken).toExtend<LoggerLike>();
  });
});
