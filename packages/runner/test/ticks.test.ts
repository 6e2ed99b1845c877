import { fileURLToPath } from "node:url";
import { type NodeProcess, startNodeProcess, startRedis, type TestRedis } from "@octo/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/tick-runner.ts", import.meta.url));
const preload = fileURLToPath(new URL("./fixtures/clock-ahead.mjs", import.meta.url));
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

async function runThree(shiftMs: number[]): Promise<{ entries: string[]; from: number; to: number }> {
  const c = redis.client();
  await c.flushdb();
  let from = 0;
  let to = 0;
  const procs: NodeProcess[] = shiftMs.map((shift, i) =>
    startNodeProcess(fixture, {
      env: {
        REDIS_URL: redis.url,
        INSTANCE: `p${i}`,
        CLOCK_SHIFT_MS: String(shift),
        NODE_OPTIONS: shift ? `--import ${preload}` : undefined,
      },
    }),
  );
  try {
    await Promise.all(procs.map((p) => p.waitFor(/started/, 20_000)));
    from = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    await new Promise((r) => setTimeout(r, 8000));
    to = Math.floor(Date.now() / 1000) * 1000 - 1000;
  } finally {
    for (const p of procs) p.kill("SIGTERM");
    await Promise.all(procs.map((p) => p.exited));
  }
  return { entries: await c.lrange("ticks", 0, -1), from, to };
}

/** Every tick in [from, to] (real clock, away from start-up and shutdown) ran, none ran twice. */
function check({ entries, from, to }: { entries: string[]; from: number; to: number }) {
  const ticks = entries.map((e) => Number(e.split("|")[0]));
  expect(ticks.length - new Set(ticks).size).toBe(0);
  const expected: number[] = [];
  for (let t = from; t <= to; t += 1000) expected.push(t);
  expect(expected.length).toBeGreaterThanOrEqual(5);
  expect(expected.filter((t) => !ticks.includes(t))).toEqual([]);
}

describe("tick claims across processes", () => {
  it("3 processes, every-second job: each tick ran exactly once", async () => {
    const result = await runThree([0, 0, 0]);
    check(result);
    // the claims were contended: more than one instance won some
    expect(new Set(result.entries.map((e) => e.split("|")[1])).size).toBeGreaterThan(1);
  });

  it("one process's clock 2 s ahead: still exactly once per tick", async () => {
    check(await runThree([2000, 0, 0]));
  });
});
