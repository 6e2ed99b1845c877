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
/**
 * How many ticks back, from the second of a kill, the test reads the claims right after it: a
 * victim can have taken with it only a tick it claimed while alive, and a tick only counts once
 * a runner outlived it by ALIVE_AFTER_MS, so ticks up to two seconds old are enough.
 */
const RECENT_TICKS = 3;
/** The fixture job's maxComputeTime. */
const MAX_COMPUTE_MS = 5000;
/** The runner's default `lockWaitMs`: how long a claimed fire waits for the job before it is skipped. */
const LOCK_WAIT_MS = 1000;
/** The job's lock as `@octo/runner` documents it ("Data in Redis"); its value is `<instance>:<T ms>`. */
const JOB_LOCK_KEY = "octo:lock:{job:chaos.tick}";
/**
 * How long a run's hold on the job can outlast the run's process: today the run takes a lock for
 * `maxComputeTime`, so a run killed mid-way keeps the job MAX_COMPUTE_MS. Once a run holds a short
 * lease renewed while it is alive, this becomes that lease's length, and a killed run frees its
 * job within seconds: set it to the lease and the bounds below tighten with it.
 */
const KILLED_RUN_HOLDS_JOB_MS = MAX_COMPUTE_MS;
/**
 * The longest a killed run can keep fires from running, counted from its T: it may have taken the
 * lock up to LOCK_WAIT_MS after T (waiting on a run before it), plus a second of round trips on a
 * loaded machine, and the lock then stands KILLED_RUN_HOLDS_JOB_MS. Each kill found holding the
 * job excuses at most one tick per second of this span.
 */
const KILLED_RUN_SPAN_MAX_MS = KILLED_RUN_HOLDS_JOB_MS + LOCK_WAIT_MS + 1000;
const EXCUSED_PER_HELD_LOCK_MAX = Math.ceil(KILLED_RUN_SPAN_MAX_MS / 1000);
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

/** What Redis said about the job's lock right after a SIGKILL, when the victim's run held it. */
interface HeldLock {
  victim: string;
  /** T of the victim's run, from the run lease's owner `<instance>:<T>:<run id>`. */
  T: number;
  /** When the lock stands until: the read's time plus its PTTL. */
  expiresAt: number;
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
  const heldLocks: HeldLock[] = [];
  /** Ticks a victim had claimed shortly before its kill, read right after it. */
  const claimedByVictims = new Set<number>();
  /**
   * SIGKILLs the runner in `slot`, if there is one, and records its lifetime. Right after the kill
   * it reads what the victim held: the claims of the last few ticks (a run it may have taken with
   * it), and the job's lock (owner `<victim>:<T>:<run id>`: a run that died holding the job, and how long
   * it will keep it). Anything owned by another runner, or by none, excuses nothing.
   */
  const kill = async (slot: number) => {
    const entry = slots[slot];
    if (!entry) return false;
    slots[slot] = undefined;
    await entry.proc.kill("SIGKILL");
    const killedAt = Date.now();
    lifetimes.push({ name: entry.name, from: entry.from, to: killedAt });
    const recentTicks = Array.from(
      { length: RECENT_TICKS },
      (_, back) => Math.floor(killedAt / 1000) * 1000 - back * 1000,
    );
    const claimers = await client.mget(recentTicks.map((t) => `octo:tick:{chaos.tick}:${t}`));
    for (const [i, claimer] of claimers.entries()) {
      if (claimer === entry.name) claimedByVictims.add(recentTicks[i] as number);
    }
    const [[, owner], [, pttl]] = (await client.multi().get(JOB_LOCK_KEY).pttl(JOB_LOCK_KEY).exec()) as [
      [null, string | null],
      [null, number],
    ];
    const readAt = Date.now();
    if (owner?.startsWith(`${entry.name}:`) && pttl > 0) {
      heldLocks.push({
        victim: entry.name,
        T: Number(owner.slice(entry.name.length + 1).split(":")[0]),
        expiresAt: readAt + pttl,
      });
    }
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
    const claimerKilledMidRun = (t: number) => claimedByVictims.has(t);
    // A run killed while it held the job keeps it until its lock expires — that is how a crashed
    // run frees the job — and fires meanwhile are skipped as overlaps. Only the locks read right
    // after a kill, owned by its victim, count: a fire after that run's T and before the lock's
    // expiry is excused, nothing else.
    const lockOfKilledRun = (t: number) => heldLocks.some((held) => held.T < t && t < held.expiresAt);
    let missedLockOfKilledRun = 0;
    const firstTick = Math.ceil(phaseStart / 1000) * 1000;
    for (let t = firstTick; t <= phaseEnd; t += 1000) {
      if (covered(t)) {
        expected++;
        if (ran.has(t)) continue;
        if (claimerKilledMidRun(t)) missedClaimerKilled++;
        else if (lockOfKilledRun(t)) missedLockOfKilledRun++;
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
      "victim-claims-at-kills": claimedByVictims.size,
      "missed-lock-of-killed-run": missedLockOfKilledRun,
      "locks-held-at-kills": heldLocks.length,
      "excused-bound": heldLocks.length * EXCUSED_PER_HELD_LOCK_MAX,
      "held-ms-max": Math.max(0, ...heldLocks.map((held) => held.expiresAt - held.T)),
      blackouts: blackouts.length,
      "blackout-ticks": blackoutTicks.length,
      "boot-ms-max": bootMsMax,
      "restart-ms-max": restartMsMax,
    });
    expect(kills).toBeGreaterThanOrEqual(10);
    expect(twice).toEqual([]);
    expect(expected).toBeGreaterThanOrEqual(MIN_EXPECTED);
    expect(missedWhileAlive).toBe(0);
    // Excuses are bounded by their evidence. A SIGKILL ends at most the one run in progress on its
    // victim (a run of this job is one round trip, far under the second between fires), so it can
    // take at most one claimed tick with it; and a lock found held excuses at most the fires of
    // its span.
    expect(missedClaimerKilled).toBeLessThanOrEqual(kills);
    for (const held of heldLocks)
      expect(held.expiresAt - held.T, held.victim).toBeLessThanOrEqual(KILLED_RUN_SPAN_MAX_MS);
    expect(missedLockOfKilledRun).toBeLessThanOrEqual(heldLocks.length * EXCUSED_PER_HELD_LOCK_MAX);
    expect(blackouts).toHaveLength(1);
    // BLACKOUT_MS with no runner holds at least two whole seconds.
    expect(blackoutTicks.length).toBeGreaterThanOrEqual(2);
    expect(blackoutTicksRun).toEqual([]);
    expect(missedWhileNoneAlive).toBeGreaterThanOrEqual(blackoutTicks.length);
  } finally {
    await Promise.all(all.map((proc) => proc.kill("SIGKILL")));
  }
}, 180_000);
