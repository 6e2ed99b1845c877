import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { expandLuaIncludes } from "../build/lua-includes";
import { useRedis } from "./support";

const env = useRedis();

/** Runs seq_id over `count` consecutive values from each start; answers the ids in order. */
const ids = async (starts: number[], count: number, suffix: string): Promise<string[]> =>
  (await env.redis.eval(
    `${expandLuaIncludes(fileURLToPath(new URL("../src/includes/sequence-ids.lua", import.meta.url)))}
local out = {}
for s = 2, #ARGV do
  local start = tonumber(ARGV[s])
  for value = start, start + tonumber(ARGV[1]) - 1 do out[#out + 1] = seq_id(value, KEYS[1]) end
end
return out`,
    1,
    suffix,
    count,
    ...starts,
  )) as string[];

/** What each id must be: every digit of the value, then the suffix. */
const expected = (starts: number[], count: number, suffix: string) =>
  starts.flatMap((start) => Array.from({ length: count }, (_, i) => `${BigInt(start) + BigInt(i)}${suffix}`));

describe("item ids (sequence-ids.lua)", () => {
  it("writes every digit of the value, then the suffix, across digit and hundred boundaries", async () => {
    const starts = [0, 950, 9_950, 99_950, 999_950, 123_456_789, 9_999_999_950, 2 ** 40];
    for (const suffix of ["", "-1796002248783"]) {
      expect(await ids(starts, 300, suffix)).toEqual(expected(starts, 300, suffix));
    }
  });

  it("keeps consecutive ids apart past 10^14, where Lua's own number text turns to 1e+14", async () => {
    const starts = [99_999_999_999_950, 1_234_567_890_123_456];
    expect(await ids(starts, 100, "-7")).toEqual(expected(starts, 100, "-7"));
    const lua = (await env.redis.eval("return { (10^14) .. '', (10^14 + 1) .. '' }", 0)) as string[];
    expect(lua).toEqual(["1e+14", "1e+14"]);
  });

  it("also when values are not consecutive (it keeps the leading digits of the last hundred)", async () => {
    const starts = [5, 105, 205, 5, 100_005, 5];
    expect(await ids(starts, 1, "-7")).toEqual(expected(starts, 1, "-7"));
  });
});
