import { type NodeProcess, RedisServerProcess, startNodeProcess } from "@octo/testing";
import { Redis } from "ioredis";
import { afterEach, expect, test } from "vitest";
import { fixture, sleep, summary, waitUntil } from "./support";

const runnerFixture = fixture("hardened-runner.ts");
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function server(): Promise<{ server: RedisServerProcess; url: string; client: Redis }> {
  const s = await RedisServerProcess.start();
  const client = new Redis(s.port, "127.0.0.1");
  client.on("error", () => {});
  cleanups.push(async () => {
    client.disconnect();
    await s.stop();
  });
  return { server: s, url: `redis://127.0.0.1:${s.port}`, client };
}

function spawnRunner(env: Record<string, string>): NodeProcess {
  const proc = startNodeProcess(runnerFixture, { env });
  cleanups.push(() => proc.kill("SIGKILL"));
  return proc;
}

/** Items of every recorded fill, counted as handled once, more than once, or never. */
async function itemCounts(
  client: Redis,
): Promise<{ expected: number; once: number; duplicates: number; lost: number }> {
  const fills = await client.hgetall("hard:{fills}");
  const handled = await client.hgetall("hard:{handled}");
  let expected = 0;
  let once = 0;
  let duplicates = 0;
  let lost = 0;
  for (const [T, n] of Object.entries(fills)) {
    for (let i = 0; i < Number(n); i++) {
      expected++;
      const count = Number(handled[`${T}:${i}`] ?? 0);
      if (count === 0) lost++;
      else if (count === 1) once++;
      else duplicates++;
    }
  }
  return { expected, once, duplicates, lost };
}

test("one broken instance: 3 runner processes, one cannot build the query job's class; it logs and keeps running its other jobs, the others handle every item", async () => {
  const { url, client } = await server();
  const common = { REDIS_URL: url, SCHEDULE: "*/4 * * * * *", ITEMS: "300", ITEM_MS: "2" };
  // Only the broken instance schedules the every-second job, so its runs show that it keeps
  // running its other jobs. (When all three race for each tick, one process can lose every race:
  // which one wins follows from the phase of its timers, not from chance.)
  const never = "0 0 1 1 *";
  const procs = [
    spawnRunner({ ...common, INSTANCE: "broken", BROKEN: "1" }),
    spawnRunner({ ...common, INSTANCE: "healthy-1", OTHER_SCHEDULE: never }),
    spawnRunner({ ...common, INSTANCE: "healthy-2", OTHER_SCHEDULE: never }),
  ];
  await Promise.all(procs.map((p) => p.waitFor(/^started/, 30_000)));
  const [broken] = procs as [NodeProcess, ...NodeProcess[]];
  const brokenLogged = () =>
    (broken.output().match(/cannot work the job's queue on this instance/g) ?? []).length;
  // Which instance claims each query tick follows the phase of its timers, so the broken one can
  // win several in a row: the test waits for what it checks, not for a number of ticks.
  const seen = async () => {
    const fillTs = Object.keys(await client.hgetall("hard:{fills}")).map(Number);
    const firstFill = fillTs.length > 0 ? Math.min(...fillTs) : Number.POSITIVE_INFINITY;
    const tickBy = Object.entries(await client.hgetall("hard:{tick-by}"));
    let brokenClaims = 0;
    for (const key of await client.keys("octo:tick:{hard.items}:*")) {
      if ((await client.get(key)) === "broken") brokenClaims++;
    }
    return {
      fills: fillTs.length,
      brokenClaims,
      // Runs of the broken instance's other job after the first fill it could not join.
      brokenTicksAfter: tickBy.filter(([T, by]) => by === "broken" && Number(T) > firstFill).length,
      brokenLogged: brokenLogged(),
    };
  };
  await waitUntil(
    "a healthy instance's fill, the broken one saying why it stays out, 5 of its other job's runs after that fill, and 3 query ticks",
    async () => {
      const s = await seen();
      return s.fills >= 1 && s.brokenLogged >= 1 && s.brokenTicksAfter >= 5 && s.fills + s.brokenClaims >= 3;
    },
    90_000,
    { intervalMs: 250, describe: seen },
  );
  await waitUntil(
    "every filled item is handled",
    async () => {
      const c = await itemCounts(client);
      return c.expected > 0 && c.lost === 0;
    },
    30_000,
  );
  const alive = procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null).length;
  const counts = await itemCounts(client);
  const { fills, brokenClaims, brokenTicksAfter } = await seen();
  const brokenTicks = Number((await client.hget("hard:{ticks}", "broken")) ?? 0);
  summary("one-broken-instance", {
    processes: procs.length,
    alive,
    fills,
    items: counts.expected,
    "handled-once": counts.once,
    duplicates: counts.duplicates,
    lost: counts.lost,
    "ticks-claimed-by-broken": brokenClaims,
    "broken-other-job-runs": brokenTicks,
    "broken-other-job-runs-after-first-fill": brokenTicksAfter,
    "broken-logged": brokenLogged(),
  });
  expect(alive).toBe(3);
  // A tick of the query job is claimed once: by a healthy instance, which fills the queue, or by
  // the broken one, where it fails. Together they account for the ticks.
  expect(fills).toBeGreaterThanOrEqual(1);
  expect(fills + brokenClaims).toBeGreaterThanOrEqual(3);
  expect(counts.lost).toBe(0);
  expect(counts.duplicates).toBe(0);
  // After the fills it could not join, the broken instance still ran its every-second job.
  expect(brokenTicksAfter).toBeGreaterThanOrEqual(5);
  // Every fill is announced to the broken instance, which says each time why it stays out.
  expect(brokenLogged()).toBeGreaterThanOrEqual(1);
}, 180_000);

test("Redis outage during a slow query: 3 runner processes, Redis down 15 s while the query runs; no process exits, every item of the tick is handled once", async () => {
  const { server: redis, url, client } = await server();
  const common = { REDIS_URL: url, ITEMS: "500", ITEM_MS: "2" };
  const procs = [
    spawnRunner({ ...common, INSTANCE: "filler", RUN: "1", QUERY_MS: "25000" }),
    spawnRunner({ ...common, INSTANCE: "worker-1" }),
    spawnRunner({ ...common, INSTANCE: "worker-2" }),
  ];
  const [filler] = procs as [NodeProcess, ...NodeProcess[]];
  await Promise.all(procs.map((p) => p.waitFor(/^started/, 30_000)));
  await filler.waitFor(/^query started/, 30_000);
  const down = Date.now();
  await redis.terminate();
  await sleep(15_000);
  await redis.startAgain();
  const outageMs = Date.now() - down;
  const outcome = await Promise.race([
    filler.waitFor(/^run (succeeded|failed)/, 90_000),
    filler.exited.then((code) => `exited ${code}`),
  ]);
  await waitUntil(
    "every item of the tick is handled",
    async () => {
      const c = await itemCounts(client);
      return c.expected === 500 && c.lost === 0;
    },
    30_000,
  );
  const alive = procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null).length;
  const counts = await itemCounts(client);
  const handledBy = procs.length;
  const tickRuns = Object.values(await client.hgetall("hard:{tick-runs}")).map(Number);
  summary("redis-outage-slow-query", {
    processes: handledBy,
    alive,
    "outage-ms": outageMs,
    outcome: outcome.split(" ")[1] ?? outcome,
    items: counts.expected,
    "handled-once": counts.once,
    duplicates: counts.duplicates,
    lost: counts.lost,
    "ticks-after-restart": tickRuns.length,
    "ticks-run-twice": tickRuns.filter((n) => n > 1).length,
  });
  expect(alive).toBe(3);
  expect(outcome).toMatch(/^run succeeded/);
  expect(counts.expected).toBe(500);
  expect(counts.once).toBe(500);
}, 180_000);
