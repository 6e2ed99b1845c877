import { describe, expect, it } from "vitest";
import { assertKeyName, assertRedisClient, describeThrown, resolvePrefix, show, toError } from "../src";

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe("key names", () => {
  it.each([["}x"], ["x{}"], ["{tag}"], ["a{b"]])(
    "refuses braces in %j, which would move the hash tag",
    (name) => {
      expect(codeOf(() => assertKeyName("name", name))).toBe("ERR_OCTO_INVALID_ARGUMENT");
      expect(codeOf(() => resolvePrefix(name))).toBe("ERR_OCTO_INVALID_ARGUMENT");
    },
  );

  it("refuses empty and non-string names and accepts ordinary ones", () => {
    expect(codeOf(() => assertKeyName("name", ""))).toBe("ERR_OCTO_INVALID_ARGUMENT");
    expect(codeOf(() => assertKeyName("name", 42))).toBe("ERR_OCTO_INVALID_ARGUMENT");
    expect(codeOf(() => assertKeyName("name", "billing.invoice:eu-1"))).toBeUndefined();
    expect(resolvePrefix(undefined)).toBe("octo");
    expect(resolvePrefix("app")).toBe("app");
  });

  it("refuses something that is not an ioredis client", () => {
    expect(codeOf(() => assertRedisClient({ get() {} }))).toBe("ERR_OCTO_INVALID_ARGUMENT");
  });
});

describe("show and describeThrown", () => {
  it("render values a reader recognises", () => {
    expect(show("x")).toBe('"x"');
    expect(show(Object.create(null))).toBe("an object");
    expect(show(new Map())).toBe("a Map");
  });

  it("describe any thrown value without throwing", () => {
    expect(describeThrown(new Error("boom"))).toBe("boom");
    expect(describeThrown({ message: "plain" })).toBe("plain");
    expect(describeThrown({ code: 7 })).toBe('{"code":7}');
    const bare = Object.create(null);
    bare.reason = "x";
    expect(describeThrown(bare)).toBe('{"reason":"x"}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeThrown(cyclic)).toContain("cannot be rendered");
    expect(describeThrown(undefined)).toBe("undefined");
    expect(toError(42).message).toBe("42");
    expect(toError(42).cause).toBe(42);
  });
});
