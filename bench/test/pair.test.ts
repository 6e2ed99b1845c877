import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchContext, type Measured, measurePair, NO_WARM_UP } from "../src/context";
import { parseOptions } from "../src/options";
import { type BenchRedis, openRedis } from "../src/redis";
import { notMeasured } from "../src/result";

let redis: BenchRedis;
const logs: string[] = [];
const ctx = (): BenchContext => ({
  redis,
  options: parseOptions([], {}, "/tmp"),
  log: (message) => logs.push(message),
});

beforeAll(async () => {
  redis = await openRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/**
 * A side whose round `i` answers `values(i)`, noting "<name><i>" in `order`; it fails the round
 * unless it starts on an empty Redis, and leaves a key behind for the next round to find.
 */
function side(name: string, order: string[], values: (i: number) => number | Promise<number>): Measured {
  const client = () => redis.client();
  return {
    base: { scenario: "t", id: `t.${name}`, label: name, unit: "items/s" },
    round: async (i) => {
      const c = client();
      try {
        const keys = await c.dbsize();
        if (keys !== 0) throw new Error(`round ${i} of ${name} found ${keys} keys`);
        await c.set(`left-by-${name}`, String(i));
      } finally {
        await c.quit();
      }
      order.push(`${name}${i}`);
      return values(i);
    },
  };
}

describe("measurePair", () => {
  it("takes turns round by round after both warm-ups, each round on an empty Redis", async () => {
    const order: string[] = [];
    const [ours, peer] = await measurePair(
      ctx(),
      side("us", order, (i) => 100 + i),
      side("them", order, (i) => 10 + i),
      4,
    );
    expect(order).toEqual(["us-1", "them-1", "them0", "us0", "us1", "them1", "them2", "us2", "us3", "them3"]);
    expect(ours.values).toEqual([100, 101, 102, 103]);
    expect(peer.values).toEqual([10, 11, 12, 13]);
    expect(ours.notMeasured).toBeUndefined();
  });

  it("reports a side that fails as not measured, with what it threw, and goes on with the other", async () => {
    const order: string[] = [];
    const [ours, peer] = await measurePair(
      ctx(),
      side("us", order, (i) => i + 1),
      side("them", order, (i) => (i === 0 ? Number.NaN : 5)),
      3,
      NO_WARM_UP,
    );
    expect(order).toEqual(["them0", "us0", "us1", "us2"]);
    expect(ours.values).toEqual([1, 2, 3]);
    expect(peer.values).toEqual([]);
    expect(peer.notMeasured).toBe("failed: round 1 gave no number (NaN)");
    expect(logs).toContain("t.them: not measured: round 1 gave no number (NaN)");
  });

  it("measures the peer alone when our row could not be measured at all", async () => {
    const order: string[] = [];
    const missing = notMeasured({ scenario: "t", id: "t.us", label: "us", unit: "items/s" }, "not built");
    const [ours, peer] = await measurePair(
      ctx(),
      missing,
      side("them", order, () => 7),
      2,
    );
    expect(ours).toBe(missing);
    expect(order).toEqual(["them-1", "them0", "them1"]);
    expect(peer.values).toEqual([7, 7]);
  });

  it("passes on anything a round throws as its reason", async () => {
    const [, peer] = await measurePair(
      ctx(),
      side("us", [], () => 1),
      side("them", [], () => {
        throw "a string, not an Error";
      }),
      1,
      NO_WARM_UP,
    );
    expect(peer.notMeasured).toBe("failed: a string, not an Error");
  });
});
