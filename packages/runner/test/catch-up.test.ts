import { sleep, waitUntil } from "@octo/testing";
import { describe, expect, it } from "vitest";
import { useLedgerRunners } from "./ledger-processes";

const { redis, start, history } = useLedgerRunners();

async function missedTicks(job: string): Promise<number[]> {
  return (await history(job))
    .filter((e) => e.outcome === "missed")
    .map((e) => e.T)
    .sort((a, b) => a - b);
}

/** Runs of the every-second job, in the order they started: T, instance, whether a catch-up. */
async function runs(): Promise<Array<{ T: number; instance: string; catchUp: boolean }>> {
  return (await redis().client().lrange("ran", 0, -1)).map((e) => {
    const [T, instance, catchUp] = e.split("|");
    return { T: Number(T), instance: instance as string, catchUp: catchUp === "true" };
  });
}

/** 3 processes with the every-second job, all SIGKILLed for 5 s, then 3 new ones started. */
async function blackout(env: Record<string, string>): Promise<void> {
  const c = redis().client();
  await c.flushdb();
  const first = ["a", "b", "c"].map((name) => start(name, env));
  await Promise.all(first.map((p) => p.waitFor(/started/, 20_000)));
  await waitUntil("three ticks to run", async () => (await c.llen("ran")) >= 3, 15_000);
  await Promise.all(first.map((p) => p.kill("SIGKILL")));
  await sleep(5000);
  const next = ["d", "e", "f"].map((name) => start(name, env));
  await Promise.all(next.map((p) => p.waitFor(/started/, 20_000)));
  await waitUntil(
    "the gap to be recorded",
    async () => (await missedTicks("ledger.every")).length > 0,
    15_000,
  );
}

describe("catch-up", () => {
  it('runs: "latest": exactly one late run, of the last missed tick', async () => {
    await blackout({
      EVERY_SCHEDULE: "* * * * * *",
      CATCH_UP: JSON.stringify({ window: "1m", runs: "latest" }),
    });
    await waitUntil("the catch-up run", async () => (await runs()).some((r) => r.catchUp), 15_000);
    // Three more claims after it, each a chance to catch up again: still one.
    const seen = (await runs()).length;
    await waitUntil("three more ticks", async () => (await runs()).length >= seen + 3, 15_000);
    const missed = await missedTicks("ledger.every");
    expect(missed.length).toBeGreaterThanOrEqual(5);
    expect((await runs()).filter((r) => r.catchUp).map((r) => r.T)).toEqual([missed[missed.length - 1]]);
  });

  it('runs: "all": each missed tick once, in order, spread over the processes', async () => {
    // The gap is the 5 s blackout plus however long the new processes take to start, which on a
    // loaded machine is many seconds: max and window are wide enough that every missed tick is
    // due (the default max of 10 would rightly pass over the oldest of a longer gap).
    await blackout({
      EVERY_SCHEDULE: "* * * * * *",
      CATCH_UP: JSON.stringify({ window: "10m", runs: "all", max: 1000 }),
    });
    const missed = await missedTicks("ledger.every");
    expect(missed.length).toBeGreaterThanOrEqual(5);
    // One late run per claim, and a claim a second: the backlog takes about a second a tick.
    await waitUntil(
      "every missed tick to run late",
      async () => (await runs()).filter((r) => r.catchUp).length >= missed.length,
      20_000 + missed.length * 2000,
      { describe: async () => ({ missed, late: (await runs()).filter((r) => r.catchUp).map((r) => r.T) }) },
    );
    const late = (await runs()).filter((r) => r.catchUp);
    expect(late.map((r) => r.T)).toEqual(missed);
    // One per claim on the instance that claimed: the claims, and so the late runs, spread.
    expect(new Set(late.map((r) => r.instance)).size).toBeGreaterThan(1);
    // None of them had run on time.
    const onTime = (await runs()).filter((r) => !r.catchUp).map((r) => r.T);
    expect(missed.filter((T) => onTime.includes(T))).toEqual([]);
  }, 180_000);

  it("rerunCrashed: a tick whose claimer was SIGKILLed mid-run runs once more, on the instance that found it", async () => {
    const c = redis().client();
    await c.flushdb();
    const catchUp = { CATCH_UP: JSON.stringify({ window: "1m", runs: "all" }), RERUN_CRASHED: "1" };
    const victim = start("victim", { SLOW_SCHEDULE: "*/5 * * * * *", ...catchUp });
    await victim.waitFor(/started/, 20_000);
    await waitUntil("the slow job to start", async () => (await c.llen("slow-started")) >= 1, 15_000);
    const [T0] = ((await c.lindex("slow-started", 0)) ?? "").split("|").map(Number) as [number];
    await victim.kill("SIGKILL");
    // Past the time the run could still have been waiting for its lease (lockWait 1 s + lease 1 s
    // + 5 s for clocks apart), so the heir's start finds the crash. The heir's own schedule never
    // fires: only the catch-up can run the job.
    await sleep(Math.max(0, T0 + 9000 - Date.now()));
    const heir = start("heir", catchUp);
    await heir.waitFor(/started/, 20_000);
    await waitUntil("the crashed tick to run again", async () => (await c.llen("slow-started")) >= 2, 15_000);
    expect(await c.lrange("slow-started", 0, -1)).toEqual([`${T0}|victim|false`, `${T0}|heir|true`]);
    const history = (await c.lrange("octo:history:{ledger.slow}", 0, -1)).map(
      (e) => JSON.parse(e) as { T: number; outcome: string },
    );
    expect(history).toEqual([expect.objectContaining({ T: T0, outcome: "crashed" })]);
  });
});
