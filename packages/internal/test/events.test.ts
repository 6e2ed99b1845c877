import { describe, expect, it } from "vitest";
import { type LoggerLike, TypedEmitter } from "../src";

interface Events {
  ping: { n: number };
  pong: string;
}

function setup() {
  const errors: unknown[][] = [];
  const logger: LoggerLike = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (...args: unknown[]) => errors.push(args),
  };
  const emitter = new TypedEmitter<Events>(["ping", "pong"], () => logger);
  return { emitter, errors };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("TypedEmitter", () => {
  it("calls listeners in subscription order with the payload, and only those of the event", () => {
    const { emitter } = setup();
    const calls: string[] = [];
    emitter.on("ping", (e) => calls.push(`a${e.n}`));
    emitter.on("ping", (e) => calls.push(`b${e.n}`));
    emitter.on("pong", (e) => calls.push(`pong ${e}`));
    emitter.emit("ping", { n: 1 });
    expect(calls).toEqual(["a1", "b1"]);
    expect(emitter.listens("ping")).toBe(true);
  });

  it("emits nothing without listeners and says so through listens()", () => {
    const { emitter, errors } = setup();
    expect(emitter.listens("ping")).toBe(false);
    emitter.emit("ping", { n: 1 });
    expect(errors).toEqual([]);
  });

  it("unsubscribes by the returned function and by off(), once each", () => {
    const { emitter } = setup();
    const calls: number[] = [];
    const listener = (e: { n: number }) => calls.push(e.n);
    const unsubscribe = emitter.on("ping", listener);
    emitter.on("ping", listener);
    emitter.emit("ping", { n: 1 });
    unsubscribe();
    emitter.emit("ping", { n: 2 });
    emitter.off("ping", listener);
    emitter.emit("ping", { n: 3 });
    unsubscribe();
    emitter.off("ping", listener);
    expect(calls).toEqual([1, 1, 2]);
    expect(emitter.listens("ping")).toBe(false);
  });

  it("a listener added or removed during an emit takes effect at the next emit", () => {
    const { emitter } = setup();
    const calls: string[] = [];
    const second = () => calls.push("second");
    emitter.on("ping", () => {
      calls.push("first");
      emitter.off("ping", second);
      emitter.on("ping", () => calls.push("late"));
    });
    emitter.on("ping", second);
    emitter.emit("ping", { n: 1 });
    expect(calls).toEqual(["first", "second"]);
  });

  it.each([
    ["an Error", new Error("boom"), "boom"],
    ["a string", "just text", "just text"],
    ["undefined", undefined, "undefined"],
    ["a null-prototype object", Object.create(null), "{}"],
  ])("a listener throwing %s is logged with the event and the others still run", (_, thrown, described) => {
    const { emitter, errors } = setup();
    const calls: number[] = [];
    emitter.on("ping", () => {
      throw thrown;
    });
    emitter.on("ping", (e) => calls.push(e.n));
    expect(() => emitter.emit("ping", { n: 7 })).not.toThrow();
    expect(calls).toEqual([7]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[0]).toEqual({ event: "ping", err: described });
    expect(errors[0]?.[1]).toMatch(/listener of "ping" failed/);
  });

  it("a listener's rejected promise is owned and logged; a resolved one is not", async () => {
    const { emitter, errors } = setup();
    emitter.on("pong", async () => {
      throw 42;
    });
    emitter.on("pong", async () => undefined);
    emitter.emit("pong", "x");
    await flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[0]).toEqual({ event: "pong", err: "42" });
  });

  it("a throwing logger does not make emit throw", () => {
    const logger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: () => {
        throw new Error("logger down");
      },
    };
    const emitter = new TypedEmitter<Events>(["ping", "pong"], () => logger);
    emitter.on("ping", () => {
      throw new Error("listener");
    });
    expect(() => emitter.emit("ping", { n: 1 })).not.toThrow();
  });

  it("refuses an unknown event name and a listener that is not a function, naming them", () => {
    const { emitter } = setup();
    expect(() => emitter.on("pnig" as "ping", () => {})).toThrow(
      expect.objectContaining({
        code: "ERR_OCTO_INVALID_ARGUMENT",
        message: expect.stringMatching(/"pnig".*"ping", "pong"/),
      }),
    );
    expect(() => emitter.on(undefined as unknown as "ping", () => {})).toThrow(/undefined/);
    expect(() => emitter.on("ping", "nope" as never)).toThrow(
      /listener "nope" is not usable: pass a function/,
    );
    expect(() => emitter.off("pong", null as never)).toThrow(/listener null/);
  });
});
