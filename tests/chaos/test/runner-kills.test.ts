import { type NodeProcess, startNodeProcess, startRedis, type TestRedis } from "@octo/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { fixture, sleep, summary } from "./support";

const PROCESSES = 4;
const KILL_PHASE_MS = 20_000;
// A tick counts as "someone was there" when a process was up from before it until its run had
// time to be claimed and recorded; a process that dies inside that span may take the tick with it.
const ALIVE_BEFORE_MS = 200;
const ALIVE_AFTER_MS = 1500;
/** The fixture job's maxComputeTime. */
const MAX_COMPUTE_MS = 5000;

interface Lifetime {
  name: string;
  from: number;
  to: number;
}

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis({ dedicated: true });
});
afterAll(async () => {
  await redis?.stop();
});

test("runner under kills: 4 runner processes SIGKILLed and restarted at random: no tick twice, ticks missed only while no process was alive", async () => {
  const client = redis.client();
  const lifetimes: Lifetime[] = [];
  const slots: Array<{ name: string; proc: NodeProcess; from: number } | undefined> = [];
  const all: NodeProcess[] = [];
  let next = 0;
  const launch = async (slot: number) => {
    const name = `r${next++}`;
    const proc = startNodeProcess(fixture("runner-process.ts"), { args: [redis.url, name] });
    all.push(proc);
    await proc.waitFor(/started/, 30_000);
    slots[slot] = { name, proc, from: Date.now() };
  };
  const kill = async (slot: number) => {
    const entry = slots[slot];
    if (!entry) return;
    slots[slot] = undefined;
    await entry.proc.kill("SIGKILL");
    lifetimes.push({ name: entry.name, from: entry.from, to: Date.now() });
  };
  let kills = 0;
  try {
    await Promise.all(Array.from({ length: PROCESSES }, (_, slot) => launch(slot)));
    const phaseStart = Date.now();
    const restarts: Promise<void>[] = [];
    while (Date.now() - phaseStart < KILL_PHASE_MS) {
      await sleep(500 + Math.random() * 1000);
      const up = slots.flatMap((entry, slot) => (entry ? [slot] : []));
      const slot = up[Math.floor(Math.random() * up.length)];
      if (slot === undefined) continue;
      await kill(slot);
      kills++;
      // Restart after a random pause, so that sometimes no process is alive at all.
      restarts.push(sleep(Math.random() * 4000).then(() => launch(slot)));
    }
    await Promise.all(restarts);
    const phaseEnd = Date.now();
    await sleep(1500);
    for (let slot = 0; slot < PROCESSES; slot++) await kill(slot);

    const counts = await client.hgetall("chaos:{ticks}");
    const ran = new Map(Object.entries(counts).map(([ms, n]) => [Number(ms), Number(n)]));
    const twice = [...ran].filter(([, n]) => n > 1).map(([ms]) => new Date(ms).toISOString());
    const covered = (t: number) =>
      lifetimes.some((life) => life.from <= t - ALIVE_BEFORE_MS && life.to >= t + ALIVE_AFTER_MS);
    let expected = 0;
    let missedWhileAlive = 0;
    let missedWhileNoneAlive = 0;
    let missedClaimerKilled = 0;
    // A tick is claimed once and run by its claimer: a claimer SIGKILLed between its claim and
    // the end of the run takes that tick with it (at most once per tick, by design).
    const claimerKilledMidRun = async (t: number) => {
      const claimer = await client.get(`octo:tick:{chaos.tick}:${t}`);
      return lifetimes.some((life) => life.name === claimer && life.to < t + ALIVE_AFTER_MS);
    };
    // A killed run keeps holding the job's maxComputeTime lock (5 s here) until it expires — that
    // is how a crashed run frees the job — and fires claimed meanwhile are skipped as overlaps.
    // Only a victim that had claimed a tick in the second before its kill can have died mid-run.
    const killedMidRun: number[] = [];
    for (const life of lifetimes) {
      const second = Math.floor(life.to / 1000) * 1000;
      for (const tick of [second, second - 1000]) {
        if ((await client.get(`octo:tick:{chaos.tick}:${tick}`)) === life.name) killedMidRun.push(life.to);
      }
    }
    const killedRunMayHoldLock = (t: number) =>
      killedMidRun.some((killedAt) => killedAt <= t + ALIVE_AFTER_MS && killedAt > t - MAX_COMPUTE_MS - 1000);
    let missedLockOfKilledRun = 0;
    const firstTick = Math.ceil(phaseStart / 1000) * 1000;
    for (let t = firstTick; t <= phaseEnd; t += 1000) {
      if (covered(t)) {
        expected++;
        if (ran.has(t)) continue;
        if (await claimerKilledMidRun(t)) missedClaimerKilled++;
        else if (killedRunMayHoldLock(t)) missedLockOfKilledRun++;
        else missedWhileAlive++;
      } else if (!ran.has(t)) missedWhileNoneAlive++;
    }
    summary("runner-kills", {
      processes: PROCESSES,
      kills,
      ticks: ran.size,
      expected,
      "double-runs": twice.length,
      "missed-while-alive": missedWhileAlive,
      "missed-none-alive": missedWhileNoneAlive,
      "missed-claimer-killed": missedClaimerKilled,
      "missed-lock-of-killed-run": missedLockOfKilledRun,
    });
    expect(kills).toBeGreaterThanOrEqual(10);
    expect(twice).toEqual([]);
    expect(expected).toBeGreaterThan(5);
    expect(missedWhileAlive).toBe(0);
  } finally {
    await Promise.all(all.map((proc) => proc.kill("SIGKILL")));
  }
}, 180_000);
