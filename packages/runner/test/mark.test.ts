import { readFileSync } from "node:fs";
import { startRedis, type TestRedis } from "@octo/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

const script = readFileSync(new URL("../src/claim-tick.lua", import.meta.url), "utf8");
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

const MARK = "octo:mark:{m.job}";
const tick = (T: number) => `octo:tick:{m.job}:${T}`;

it("a tick is claimed iff it is later than the mark; a re-sent claim answers the same and changes nothing", async () => {
  const c = redis.client();
  const claim = (T: number, instance: string) => c.eval(script, 2, MARK, tick(T), T, instance, 60_000);

  expect(await claim(1000, "a")).toEqual([1, ""]);
  const after = await c.hgetall(MARK);
  expect(after).toEqual({ T: "1000", instance: "a", prev: "" });
  // The reply was lost and ioredis sends it again: same answer, same state.
  expect(await claim(1000, "a")).toEqual([1, ""]);
  expect(await c.hgetall(MARK)).toEqual(after);
  // Another instance, same tick: not claimed; it is told the mark that beat it.
  expect(await claim(1000, "b")).toEqual([0, "1000"]);
  // A later tick advances the mark and answers the mark it replaced.
  expect(await claim(3000, "b")).toEqual([1, "1000"]);
  expect(await claim(3000, "b")).toEqual([1, "1000"]);
  // An earlier tick is never claimed again, by anyone, however long ago its record expired.
  await c.del(tick(1000), tick(2000));
  expect(await claim(1000, "a")).toEqual([0, "3000"]);
  expect(await claim(2000, "c")).toEqual([0, "3000"]);
  expect(await c.hgetall(MARK)).toEqual({ T: "3000", instance: "b", prev: "1000" });
  // The mark never expires; the per-tick claimer record does.
  expect(await c.pttl(MARK)).toBe(-1);
  expect(await c.get(tick(3000))).toBe("b");
  expect(await c.pttl(tick(3000))).toBeGreaterThan(0);
});
