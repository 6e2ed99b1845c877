import { fileURLToPath } from "node:url";
import { startNodeProcess, startRedis, type TestRedis } from "@octo/testing";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterEach(() => redis.flushdb());
afterAll(() => server.stop());

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Starts `count` processes of a fixture, waits until all are ready, then lets them go at once. */
async function runTogether(name: string, count: number, perProcess: number): Promise<string[]> {
  const children = Array.from({ length: count }, (_, id) =>
    startNodeProcess(fixture(name), { args: [server.url, String(id), String(perProcess)] }),
  );
  await Promise.all(children.map((child) => child.waitFor(/^ready$/)));
  await redis.set("go", "1");
  const lines = await Promise.all(children.map((child) => child.waitFor(/^done/, 120_000)));
  expect(await Promise.all(children.map((child) => child.exited))).toEqual(children.map(() => 0));
  return lines;
}

test("4 processes × 200 withLock sections: the counter is exact and no two sections overlap", async () => {
  const lines = await runTogether("counter-sections.ts", 4, 200);
  expect(lines).toEqual(["done lost=0", "done lost=0", "done lost=0", "done lost=0"]);
  expect(await redis.get("counter")).toBe("800");

  const sections = (await redis.lrange("sections", 0, -1)).map(
    (line) => JSON.parse(line) as { id: string; enter: number; exit: number; token: number },
  );
  expect(sections).toHaveLength(800);
  for (const id of ["0", "1", "2", "3"]) expect(sections.filter((s) => s.id === id)).toHaveLength(200);
  const byEnter = [...sections].sort((a, b) => a.enter - b.enter);
  const overlaps = byEnter.filter((section, i) => i > 0 && section.enter < byEnter[i - 1]!.exit);
  expect(overlaps).toEqual([]);
  // The processes really took turns rather than running one after another.
  const handovers = byEnter.filter((section, i) => i > 0 && section.id !== byEnter[i - 1]!.id).length;
  expect(handovers).toBeGreaterThan(3);
});

test("fencing tokens from several processes strictly increase in acquisition order", async () => {
  await runTogether("fenced-tokens.ts", 4, 50);
  const records = (await redis.lrange("tokens", 0, -1)).map(
    (line) => JSON.parse(line) as { id: string; token: number },
  );
  expect(records).toHaveLength(200);
  const tokens = records.map((record) => record.token);
  const notIncreasing = tokens.filter((token, i) => i > 0 && token <= tokens[i - 1]!);
  expect(notIncreasing).toEqual([]);
  // Every successful acquire drew exactly one token; failed attempts drew none.
  expect(tokens.at(-1)).toBe(200);
  expect(new Set(records.map((record) => record.id)).size).toBe(4);
});
