import { type NodeProcess, startNodeProcess, startRedis, type TestRedis } from "@octo/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { fixture, sleep, summary } from "./support";

const PROCESSES = 4;
const KILL_PHASE_MS = 20_000;
/** A random runner is SIGKILLed every 1–2 s and replaced at once, so the others stay up. */
const KILL_EVERY_MS = { min: 1000, max: 2000 };
/**
 * Once in the phase, starting at a random point of this span, every runner is SIGKILLed and none
 * runs for BLACKOUT_MS: the ticks of that gap must be missed, and counted as missed while none
 * was alive, which shows the accounting below tells the two kinds of miss apart.
 */
const BLACKOUT_AFTER_MS = { min: 6000, max: 11_000 };
const BLACKOUT_MS = 3000;
/**
 * Replacements are booted ahead and wait for SIGUSR2 to start their runner (the fixture's
 * `standby`), so a restart costs `runner.start()` and not a Node.js start-up, which takes
 * seconds on a slow machine and would leave too few ticks with a runner up to prove anything.
 * A blackout takes PROCESSES of them at once; the two extra cover the refills still booting.
 */
const SPARES = PROCESSES + 2;
// A tick counts as "someone was there" when a process was up from before it until its run had
// time to be claimed and recorded; a process that dies inside that span may take the tick with it.
const ALIVE_BEFORE_MS = 200;
const ALIVE_AFTER_MS = 1500;
/** The fixture job's maxComputeTime. */
const MAX_COMPUTE_MS = 5000;
/**
 * With kills 1–2 s apart a tick's 1.7 s window sees at most two of them, so outside the blackout
 * one of the four runners covers every tick; the blackout costs about BLACKOUT_MS + 1.7 s of them.
 * At least half the phase's ticks must therefore count, even where a Node.js start-up takes seconds.
 */
const MIN_EXPECTED = KILL_PHASE_MS / 1000 / 2;

interface Lifetime {
  name: string;
  from: number;
  to: number;
}

interface Spare {
  name: string;
  proc: NodeProcess;
  /** Resolves once the process printed "standby". */
  ready: Promise<void>;
}

const between = ({ min, max }: { min: number; max: number }) => min + Math.random() * (max - min);

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
  const spares: Spare[] = [];
  let next = 0;
  let bootMsMax = 0;
  let restartMsMax = 0;
  const spawnSpare = () => {
    const name = `r${next++}`;
    const spawnedAt = Date.now();
    const proc = startNodeProcess(fixture("runner-process.ts"), { args: [redis.url, name, "standby"] });
    all.push(proc);
    const ready = proc.waitFor(/standby/, 60_000).then(() => {
      bootMsMax = Math.max(bootMsMax, Date.now() - spawnedAt);
    });
    // A spare still booting when the test ends is killed; only a spare that is used is awaited.
    ready.catch(() => {});
    spares.push({ name, proc, ready });
  };
  /** Starts a runner in `slot` from the oldest spare; resolves with the time it was told to start. */
  const launch = async (slot: number) => {
    const spare = spares.shift();
    if (!spare) throw new Error("no spare runner process");
    spawnSpare();
    await spare.ready;
    const signalledAt = Date.now();
    spare.proc.child.kill("SIGUSR2");
    await spare.proc.waitFor(/started/, 30_000);
    restartMsMax = Math.max(restartMsMax, Date.now() - signalledAt);
    slots[slot] = { name: spare.name, proc: spare.proc, from: Date.now() };
    return signalledAt;
  };
  /** SIGKILLs the runner in `slot`, if there is one, and records its lifetime. */
  const kill = async (slot: number) => {
    const entry = slots[slot];
    if (!entry) return false;
    slots[slot] = undefined;
    await entry.proc.kill("SIGKILL");
    lifetimes.push({ name: entry.name, from: entry.from, to: Date.now() });
    return true;
  };
  let kills = 0;
  /** From the moment every runner was dead to the moment the first replacement was told to start. */
  const blackouts: Array<{ from: number; to: number }> = [];
  try {
    for (let n = 0; n < SPARES; n++) spawnSpare();
    await Promise.all(Array.from({ length: PROCESSES }, (_, slot) => launch(slot)));
    await Promise.all(spares.map((spare) => spare.ready));
    const phaseStart = Date.now();
    const blackoutAt = phaseStart + between(BLACKOUT_AFTER_MS);
    const slotsAll = Array.from({ length: PROCESSES }, (_, slot) => slot);
    // Kill to kill, not restart to kill: a slow restart must not thin out the kills.
    let killAt = phaseStart + between(KILL_EVERY_MS);
    for (;;) {
      await sleep(Math.max(0, killAt - Date.now()));
      if (Date.now() - phaseStart >= KILL_PHASE_MS) break;
      killAt = Date.now() + between(KILL_EVERY_MS);
      if (blackouts.length === 0 && Date.now() >= blackoutAt) {
        kills += (await Promise.all(slotsAll.map(kill))).filter(Boolean).length;
        const from = Date.now();
        await sleep(BLACKOUT_MS);
        const signalled = await Promise.all(slotsAll.map(launch));
        blackouts.push({ from, to: Math.min(...signalled) });
        killAt = Date.now() + between(KILL_EVERY_MS);
        continue;
      }
      const slot = Math.floor(Math.random() * PROCESSES);
      if (await kill(slot)) kills++;
      await launch(slot);
    }
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
    // Nothing ran in the blackout gaps: every fire there is a miss the accounting must put down
    // to no process being alive.
    const blackoutTicks: number[] = [];
    for (const { from, to } of blackouts) {
      for (let t = Math.floor(from / 1000) * 1000 + 1000; t < to; t += 1000) blackoutTicks.push(t);
    }
    const blackoutTicksRun = blackoutTicks.filter((t) => ran.has(t)).map((t) => new Date(t).toISOString());
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
      blackouts: blackouts.length,
      "blackout-ticks": blackoutTicks.length,
      "boot-ms-max": bootMsMax,
      "restart-ms-max": restartMsMax,
    });
    expect(kills).toBeGreaterThanOrEqual(10);
    expect(twice).toEqual([]);
    expect(expected).toBeGreaterThanOrEqual(MIN_EXPECTED);
    expect(missedWhileAlive).toBe(0);
    expect(blackouts).toHaveLength(1);
    // BLACKOUT_MS with no runner holds at least two whole seconds.
    expect(blackoutTicks.length).toBeGreaterThanOrEqual(2);
    expect(blackoutTicksRun).toEqual([]);
    expect(missedWhileNoneAlive).toBeGreaterThanOrEqual(blackoutTicks.length);
  } finally {
    await Promise.all(all.map((proc) => proc.kill("SIGKILL")));
  }
}, 180_000);
