import { jsonCodec, RedisQueue, UnencodableItemError } from "@octo/redis-queue";
import { describe, expect, it } from "vitest";
import { useRedis } from "./support";

const env = useRedis();
const roundTrip = (item: unknown) => jsonCodec.decode(jsonCodec.encode(item));

class Money {
  constructor(readonly cents: number) {}
}

describe("the default codec", () => {
  it("round-trips plain data and Dates, nested anywhere", () => {
    const item = {
      id: 7,
      name: "ä \u2028 \ud83d\ude00",
      tags: ["a", null, true, 1.5],
      at: new Date("2026-01-02T03:04:05.006Z"),
      nested: { when: [new Date(0)], none: null },
    };
    expect(roundTrip(item)).toEqual(item);
    expect((roundTrip(item) as typeof item).at).toBeInstanceOf(Date);
    expect(roundTrip(new Date(5))).toEqual(new Date(5));
  });

  it("round-trips a user's object whose key is the Date tag, or looks like its escape", () => {
    for (const item of [
      { "$octo:date": "2026-01-01T00:00:00.000Z" },
      { "$octo:date": 5 },
      { "$octo:$octo:date": "x", other: 1 },
      [{ "$octo:date": "not a date" }, new Date(1)],
      { "$octo:dates": "x", $octo: 1 },
    ]) {
      expect(roundTrip(item), JSON.stringify(item)).toEqual(item);
    }
  });

  it("keeps a key named __proto__ as data", () => {
    const item = JSON.parse('{"__proto__": {"x": 1}, "at": {"$octo:date": 1}}');
    const back = roundTrip(item) as Record<string, unknown>;
    expect(Object.keys(back)).toEqual(["__proto__", "at"]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it("refuses what JSON would change or drop, naming where it is", () => {
    const cases: [unknown, string][] = [
      [{ total: Number.NaN }, ".total: NaN cannot be encoded as JSON"],
      [{ a: [1, Number.POSITIVE_INFINITY] }, ".a[1]: Infinity cannot be encoded as JSON"],
      [[Number.NEGATIVE_INFINITY], "[0]: -Infinity cannot be encoded as JSON"],
      [{ n: 10n }, ".n: BigInt 10n cannot be encoded as JSON"],
      [{ m: new Map([[1, 2]]) }, ".m: a Map (JSON would store it as {}) cannot be encoded as JSON"],
      [{ s: new Set([1]) }, ".s: a Set"],
      [{ f: () => 1 }, ".f: a function cannot be encoded"],
      [{ s: Symbol("x") }, ".s: Symbol(x) cannot be encoded"],
      [[1, undefined], "[1]: undefined cannot be encoded"],
      // biome-ignore lint/suspicious/noSparseArray: a hole is what JSON would turn into null
      [[1, , 3], "[1]: undefined cannot be encoded"],
      [{ price: new Money(5) }, ".price: a Money instance (JSON would keep only its own fields"],
      [{ at: new Date(Number.NaN) }, ".at: an Invalid Date cannot be encoded"],
      [{ [Symbol("k")]: 1 }, "a property keyed by a symbol"],
      [{ "odd key": [{ x: Number.NaN }] }, '["odd key"][0].x: NaN'],
      [undefined, "undefined cannot be encoded"],
    ];
    for (const [item, message] of cases) {
      expect(() => jsonCodec.encode(item), message).toThrow(message);
    }
  });

  it("refuses a cycle with the path of the value that contains itself", () => {
    const order: Record<string, unknown> = { id: 1, lines: [] };
    (order.lines as unknown[]).push({ order });
    expect(() => jsonCodec.encode(order)).toThrow(".lines[0].order: a cycle");
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 100; i++) at = at.next = {};
    at.next = deep;
    expect(() => jsonCodec.encode(deep)).toThrow(/^\.next(\.next){100}: a cycle/);
  });

  it("accepts a repeated (not cyclic) object, undefined properties and null-prototype objects", () => {
    const shared = { x: 1 };
    expect(roundTrip({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
    expect(roundTrip({ a: 1, b: undefined })).toEqual({ a: 1 });
    const bare = Object.assign(Object.create(null), { a: 1 });
    expect(roundTrip(bare)).toEqual({ a: 1 });
  });
});

describe("fill with the default codec", () => {
  it("refuses the whole array with the item's number and path, writing nothing", async () => {
    const queue = new RedisQueue<unknown>("codec", env.redis);
    const items = [0, 1, 2].map((id) => ({ id, orders: [{ total: 1 }] }));
    items.push({ id: 3, orders: [{ total: 1 }, { total: 2 }, { total: Number.NaN }] });
    const error = await queue.fill(items).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnencodableItemError);
    expect((error as UnencodableItemError).code).toBe("ERR_OCTO_UNENCODABLE_ITEM");
    expect((error as UnencodableItemError).path).toBe(".orders[2].total");
    expect((error as Error).message).toMatch(
      /^item 3 at \.orders\[2\]\.total: NaN cannot be encoded as JSON/,
    );
    expect(await env.redis.keys("*")).toEqual([]);
  });

  it("names a custom codec's failure, whatever it throws", async () => {
    const queue = new RedisQueue<number>("custom", env.redis, {
      codec: {
        encode: (n) => {
          if (n === 2) throw { message: "two is not allowed" };
          return String(n);
        },
        decode: Number,
      },
    });
    await expect(queue.fill([1, 2])).rejects.toThrow(/^item 1: the codec threw: two is not allowed/);
    expect(await env.redis.keys("*")).toEqual([]);
  });
});

describe("a custom codec's text through a take", () => {
  it("hands every item back as encoded, whether or not its text holds NUL bytes or is empty", async () => {
    // A take answers the values of its items as one string separated by NUL bytes, unless a value
    // holds a NUL itself: then one element per item. Both answers must give the same items.
    const codec = {
      encode: (parts: string[]) => parts.join("\u0000"),
      decode: (text: string) => text.split("\u0000"),
    };
    const queue = new RedisQueue<string[]>("nul-codec", env.redis, { codec });
    const plain = [["a"], ["b"], [""], ["c"]];
    const withNul = [["d", "e"], ["f"], ["", ""]];
    const seen: string[][] = [];
    const drain = () =>
      queue.work(
        async (item) => {
          seen.push(item);
        },
        { drainGraceMs: 0 },
      );
    await queue.add(plain);
    await drain();
    expect(seen).toEqual(plain);
    await queue.add(withNul);
    await drain();
    expect(seen).toEqual([...plain, ...withNul]);
  });
});
