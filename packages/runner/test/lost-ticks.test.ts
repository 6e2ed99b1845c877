import { type NodeProcess, sleep, waitUntil } from "@octo/testing";
import { describe, expect, it } from "vitest";
import { useLedgerRunners } from "./ledger-processes";

const { redis, start, history } = useLedgerRunners();

/** The `name` events the fixture processes printed, one JSON line each, dates as ISO strings. */
function eventsOf<E>(processes: NodeProcess[], name: string): E[] {
  return (
    processes
      // Complete lines only: the last piece after the split is "" or a line still being written.
      .flatMap((p) => p.output().split("\n").slice(0, -1))
      .filter((l) => l.startsWith('{"event":'))
      .map((l) => JSON.parse(l) as E & { event: string })
      .filter((e) => e.event === name)
  );
}

interface MissedEvent {
  job: string;
  ticks: string[];
  count: number;
  instance: string;
}

const second = (ms: number) => Math.floor(ms / 1000) * 1000;

describe("missed and crashed ticks", () => {
  it("3 processes SIGKILLed for 5 s: the history shows exactly the ticks nobody claimed as missed, one warning for the gap", async () => {
    const c = redis().client();
    await c.flushdb();
    const env = { EVERY_SCHEDULE: "* * * * * *" };
    const first = ["a", "b", "c"].map((name) => start(name, env));
    await Promise.all(first.map((p) => p.waitFor(/started/, 20_000)));
    await waitUntil("three ticks to run", async () => (await c.llen("ran")) >= 3, 15_000);

    const killAt = Date.now();
    await Promise.all(first.map((p) => p.kill("SIGKILL")));
    const allDeadAt = Date.now();
    const mark = Number(await c.hget("octo:mark:{ledger.every}", "T"));
    await sleep(allDeadAt + 5000 - Date.now());
    const restartAt = Date.now();
    const second_ = ["d", "e", "f"].map((name) => start(name, env));
    await Promise.all(second_.map((p) => p.waitFor(/started/, 20_000)));
    await waitUntil(
      "a tick after the restart to run and the gap to be recorded",
      async () => (await history("ledger.every")).some((e) => e.outcome === "missed"),
      15_000,
    );
    // The history is written before the finder hears back and reports the gap.
    await waitUntil(
      "the gap to be reported",
      () => eventsOf([...first, ...second_], "tick:missed").length > 0,
      5000,
    );
    const ran = (await c.lrange("ran", 0, -1)).map((e) => Number(e.split("|")[0]));
    const firstAfter = Math.min(...ran.filter((T) => T > mark));

    const missed = (await history("ledger.every")).filter((e) => e.outcome === "missed").map((e) => e.T);
    // Exactly the ticks between the last claim before the kill and the first claim after the
    // restart, each once, newest first, none that ran.
    const between: number[] = [];
    for (let T = mark + 1000; T < firstAfter; T += 1000) between.push(T);
    expect([...missed].reverse()).toEqual(between);
    expect(missed.filter((T) => ran.includes(T))).toEqual([]);
    // Those are the ticks of the 5 s with no process alive: every second from the first after all
    // had died to the last before the restart began is among them. At each end one second
    // boundary is allowed: the tick of the second the kill came in may have been claimed before
    // it (so the mark is at most one tick behind the kill's second), and the restarted processes
    // claim from the first second after one of them started.
    expect(mark).toBeGreaterThanOrEqual(second(killAt) - 1000);
    for (let T = second(allDeadAt) + 1000; T <= second(restartAt); T += 1000) expect(missed).toContain(T);
    expect(missed.length).toBeGreaterThanOrEqual(5);
    // One warning for the gap, on the instance that found it, with how many.
    const warnings = second_
      .flatMap((p) => p.output().split("\n"))
      .filter((l) => l.includes("ticks were missed"))
      .map((l) => JSON.parse(l) as { level: string; missed: number });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: "warn", missed: missed.length });
    // One tick:missed event for the gap, from the instance that warned, carrying exactly the
    // ticks the history records as missed, oldest first.
    const events = eventsOf<MissedEvent>([...first, ...second_], "tick:missed");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ job: "ledger.every", count: missed.length });
    expect(events[0]?.ticks.map((t) => Date.parse(t))).toEqual([...missed].reverse());
    const warner = second_.findIndex((p) => p.output().includes("ticks were missed"));
    expect(events[0]?.instance).toBe(["d", "e", "f"][warner]);
    expect(Number(await c.hget("octo:job:{ledger.every}", "count:missed"))).toBe(missed.length);
  });

  it("a claimer SIGKILLed mid-run is recorded crashed by the next instance that looks", async () => {
    const c = redis().client();
    await c.flushdb();
    const env = { SLOW_SCHEDULE: "*/5 * * * * *" };
    const victim = start("victim", env);
    await victim.waitFor(/started/, 20_000);
    await waitUntil("the slow job to start", async () => (await c.llen("slow-started")) >= 1, 15_000);
    const [T0] = ((await c.lindex("slow-started", 0)) ?? "").split("|").map(Number) as [number];
    await victim.kill("SIGKILL");
    expect(await c.hlen("octo:running:{ledger.slow}")).toBe(1);

    const heir = start("heir", env);
    await heir.waitFor(/started/, 20_000);
    await waitUntil(
      "the killed run to be recorded crashed",
      async () => (await history("ledger.slow")).some((e) => e.outcome === "crashed"),
      30_000,
    );
    // The heir's own run lives on, holding its lease: let two later claims look at it once it is
    // old enough to be judged (lockWait 1 s + lease 1 s + 5 s), so a check that ignored the lease
    // would take it for a crash.
    await waitUntil(
      "the heir's run to start",
      async () => (await c.lrange("slow-started", 0, -1)).some((e) => e.includes("|heir|")),
      15_000,
    );
    const heirT = Number(
      ((await c.lrange("slow-started", 0, -1)).find((e) => e.includes("|heir|")) ?? "").split("|")[0],
    );
    await sleep(Math.max(0, heirT + 11_000 - Date.now()));
    const entries = await history("ledger.slow");
    expect(entries.filter((e) => e.outcome === "crashed")).toEqual([
      expect.objectContaining({ T: T0, instance: "victim", trigger: "schedule" }),
    ]);
    // Nothing else says anything about T0, and the heir's own run (alive, holding its lease) is
    // not taken for a crash.
    expect(entries.filter((e) => e.T === T0)).toHaveLength(1);
    const running = Object.values(await c.hgetall("octo:running:{ledger.slow}")).map(
      (r) => JSON.parse(r) as { instance: string },
    );
    expect(running.every((r) => r.instance === "heir")).toBe(true);
    expect(Number(await c.hget("octo:job:{ledger.slow}", "count:crashed"))).toBe(1);
    expect(heir.output()).toContain("a run crashed");
    // Told once, by the instance that recorded it, naming the tick and its dead claimer.
    expect(eventsOf([victim, heir], "tick:crashed")).toEqual([
      {
        event: "tick:crashed",
        job: "ledger.slow",
        scheduledAt: new Date(T0).toISOString(),
        instance: "heir",
        claimedBy: "victim",
      },
    ]);
  });
});
