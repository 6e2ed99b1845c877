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
const RUNNING = "octo:running:{m.job}";

it("a tick is claimed iff it is later than the mark; a re-sent claim answers the same and changes nothing", async () => {
  const c = redis.client();
  const claim = (T: number, instance: string) =>
    c.eval(script, 3, MARK, tick(T), RUNNING, T, instance, 60_000, `${instance}:${T}`, `{"T":${T}}`);

  expect(await claim(1000, "a")).toEqual([1, ""]);
  const after = await c.hgetall(MARK);
  expect(after).toEqual({ T: "1000", instance: "a", prev: "" });
  // The reply was lost and ioredis sends it again: same answer, same state.
  expect(await claim(1000, "a")).toEqual([1, ""]);
  expect(await c.hgetall(MARK)).toEqual(after);
  // The in-progress record of the claimer's run was written with the claim, once.
  expect(await c.hgetall(RUNNING)).toEqual({ "a:1000": '{"T":1000}' });
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
  expect(Object.keys(await c.hgetall(RUNNING)).sort()).toEqual(["a:1000", "b:3000"]);
  // The mark never expires; the per-tick claimer record does.
  expect(await c.pttl(MARK)).toBe(-1);
  expect(await c.get(tick(3000))).toBe("b");
  expect(await c.pttl(tick(3000))).toBeGreaterThan(0);
});

it("a late run is taken through the catch-up mark, one at a time", async () => {
  const c = redis.client();
  const CU = "octo:catchup:{cu.job}";
  const RUN = "octo:running:{cu.job}";
  const take = (T: number, instance: string) =>
    c.eval(
      script,
      3,
      CU,
      `octo:tick:{cu.job}:${T}:catch-up`,
      RUN,
      T,
      instance,
      60_000,
      `${instance}:${T}`,
      `{"T":${T},"trigger":"catch-up"}`,
      "1",
    );
  expect(await take(1000, "a")).toEqual([1, ""]);
  // While a's late run is in progress, no later tick is taken, by anyone; a's re-send still is.
  expect(await take(2000, "b")).toEqual([0, "1000"]);
  expect(await take(1000, "a")).toEqual([1, ""]);
  await c.hdel(RUN, "a:1000");
  expect(await take(2000, "b")).toEqual([1, "1000"]);
  // A scheduled run in progress does not hold late runs back.
  await c.hdel(RUN, "b:2000");
  await c.hset(RUN, "c:5000", '{"T":5000,"trigger":"schedule"}');
  expect(await take(3000, "a")).toEqual([1, "2000"]);
});

it("recording a run's outcome is done by whoever removes its in-progress record, once", async () => {
  const c = redis.client();
  const record = readFileSync(new URL("../src/record-run.lua", import.meta.url), "utf8");
  const keys = ["octo:running:{r.job}", "octo:history:{r.job}", "octo:job:{r.job}"];
  const entry = (n: number) => JSON.stringify({ T: n, outcome: "succeeded" });
  const finish = (id: string, n: number) =>
    c.eval(record, 3, ...keys, id, entry(n), 2, "succeeded", "lastScheduledAt", n);

  await c.hset("octo:running:{r.job}", "a:1", "{}", "a:2", "{}", "a:3", "{}");
  expect(await finish("a:1", 1)).toBe(1);
  // The reply was lost and ioredis sends it again: nothing is recorded twice.
  expect(await finish("a:1", 1)).toBe(0);
  expect(await c.lrange("octo:history:{r.job}", 0, -1)).toEqual([entry(1)]);
  expect(await c.hget("octo:job:{r.job}", "count:succeeded")).toBe("1");
  // The history is capped (here at 2), newest first.
  await finish("a:2", 2);
  await finish("a:3", 3);
  expect(await c.lrange("octo:history:{r.job}", 0, -1)).toEqual([entry(3), entry(2)]);
  expect(await c.hgetall("octo:job:{r.job}")).toEqual({ "count:succeeded": "3", lastScheduledAt: "3" });
  expect(await c.hlen("octo:running:{r.job}")).toBe(0);
});
