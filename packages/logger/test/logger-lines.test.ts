import { Logger } from "@octo/logger";
import { describe, expect, it } from "vitest";
import { captureLines } from "./capture-lines";

describe("Logger lines", () => {
  it("writes level, time, name and msg on every line", () => {
    const out = captureLines();
    const logger = new Logger({ name: "jobs", destination: out.destination });

    logger.info("started");
    logger.warn({ job: "billing.invoice" });

    const [started, warned] = out.lines();
    expect(started).toMatchObject({ level: "info", name: "jobs", msg: "started" });
    expect(warned).toMatchObject({ level: "warn", name: "jobs", msg: "", job: "billing.invoice" });
    for (const line of out.lines()) expect(Date.parse(String(line.time))).not.toBeNaN();
  });

  it("writes each method at its own level, with log as info", () => {
    const out = captureLines();
    const logger = new Logger({ name: "jobs", level: "trace", destination: out.destination });

    logger.trace("t");
    logger.debug("d");
    logger.info("i");
    logger.log("l");
    logger.warn("w");
    logger.error("e");
    logger.fatal("f");

    expect(out.lines().map((line) => [line.level, line.msg])).toEqual([
      ["trace", "t"],
      ["debug", "d"],
      ["info", "i"],
      ["info", "l"],
      ["warn", "w"],
      ["error", "e"],
      ["fatal", "f"],
    ]);
  });

  it("drops lines below the level, info by default", () => {
    const out = captureLines();
    const logger = new Logger({ name: "jobs", destination: out.destination });

    logger.debug("hidden");
    logger.info("shown");

    expect(out.lines().map((line) => line.msg)).toEqual(["shown"]);
    expect(logger.level).toBe("info");
  });

  it("writes debug lines when verbose is true", () => {
    const out = captureLines();
    const logger = new Logger({ name: "jobs", verbose: true, destination: out.destination });

    logger.debug("details");

    expect(out.only()).toMatchObject({ level: "debug", msg: "details" });
  });

  it("lets an explicit level win over verbose", () => {
    const out = captureLines();
    const logger = new Logger({ name: "jobs", verbose: true, level: "warn", destination: out.destination });

    logger.debug("hidden");
    logger.info("hidden too");
    logger.warn("shown");

    expect(out.lines().map((line) => line.msg)).toEqual(["shown"]);
  });

  it("writes nothing at level silent", () => {
    const out = captureLines();
    const logger = new Logger({ name: "jobs", level: "silent", destination: out.destination });

    logger.fatal("nothing");

    expect(out.raw()).toBe("");
  });

  it("adds child bindings to every line of the child, keeping the parent's name and level", () => {
    const out = captureLines();
    const logger = new Logger({ name: "jobs", level: "warn", destination: out.destination });
    const child = logger.child({ job: "billing.invoice" });
    const grandchild = child.child({ attempt: 2 });

    child.info("hidden by the parent's level");
    child.warn("from child");
    grandchild.error({ item: 7 }, "from grandchild");
    logger.warn("from parent");

    expect(out.lines()).toEqual([
      expect.objectContaining({ name: "jobs", job: "billing.invoice", msg: "from child" }),
      expect.objectContaining({
        name: "jobs",
        job: "billing.invoice",
        attempt: 2,
        item: 7,
        msg: "from grandchild",
      }),
      expect.not.objectContaining({ job: expect.anything() }),
    ]);
    expect(child).toBeInstanceOf(Logger);
  });

  it("keeps its methods bound, so they can be passed as callbacks", async () => {
    const out = captureLines();
    const logger = new Logger({ name: "jobs", destination: out.destination });

    await Promise.reject(new Error("lost connection")).catch(logger.error);

    expect(out.only()).toMatchObject({
      level: "error",
      msg: "lost connection",
      err: { message: "lost connection" },
    });
  });
});
