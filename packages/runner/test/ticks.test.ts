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

async function runThree(
  shiftMs: number[],
  env: Record<string, string> = {},
): Promise<{ entries: string[]; from: number; to: number }> {
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
        ...env,
      },
    }),
  );
  try {
    await Promise.all(procs.map((p) => p.waitFor(/started/, 20_000)));
    // An instance whose clock leads by d claims ticks d ahead as soon as it starts, moving the
    // mark past the ticks of the next d that the others had not reached yet: those ticks are
    // missed, once, at its start (the mark never goes back). Count from after that.
    from = Math.ceil(Date.now() / 1000) * 1000 + 1000 + Math.max(0, ...shiftMs);
    await new Promise((r) => setTimeout(r, 8000 + Math.max(0, ...shiftMs)));
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

  it("one process's clock lags by more than the claim record's TTL: it re-runs no tick", async () => {
    // The claim record lives 1 s (maxComputeTime 1 s, minClaimTtl 500 ms); p2 reaches each tick
    // 3 s after the others ran it, long after its record expired. The mark still has it.
    const result = await runThree([0, 0, -3000], { MIN_CLAIM_TTL: "500" });
    check(result);
    // p2 may have run ticks of its own before the others claimed their first (start-up), never later.
    const lateByP2 = result.entries.filter(
      (e) => e.endsWith("|p2") && Number(e.split("|")[0]) >= result.from,
    );
    expect(lateByP2).toEqual([]);
  });
});
