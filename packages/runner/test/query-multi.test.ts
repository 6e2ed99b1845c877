import { fileURLToPath } from "node:url";
import { type NodeProcess, startNodeProcess, startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/query-runner.ts", import.meta.url));
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

it("query job with 1,000 items across 3 processes: each item once, every process works", async () => {
  const c = redis.client();
  const procs: NodeProcess[] = [0, 1, 2].map((i) =>
    startNodeProcess(fixture, { env: { REDIS_URL: redis.url, INSTANCE: `p${i}` } }),
  );
  try {
    await Promise.all(procs.map((p) => p.waitFor(/started/, 20_000)));
    await waitUntil("1,000 items to be seen", async () => (await c.scard("seen")) >= 1000, 30_000, {
      intervalMs: 200,
      describe: () => c.scard("seen"),
    });
  } finally {
    for (const p of procs) p.kill("SIGTERM");
    await Promise.all(procs.map((p) => p.exited));
  }
  expect(await c.scard("seen")).toBe(1000);
  const counts = Object.values(await c.hgetall("count"));
  expect(counts.length).toBe(1000);
  expect(counts.filter((n) => n !== "1")).toEqual([]);
  const byInstance = await c.hgetall("by-instance");
  expect(Object.keys(byInstance).sort()).toEqual(["p0", "p1", "p2"]);
});
