import { type BenchContext, sleep, startChild } from "../context";
import { loadOurs } from "../ours";
import { errorText, measured, notMeasured, percentile, type ResultRow } from "../result";

/**
 * Issue 7 scenario 6: fire lag (whole second the tick was for → handler start) of an
 * every-second job, over `ticks` ticks, each configuration in its own child processes.
 */
export async function scheduler(ctx: BenchContext): Promise<ResultRow[]> {
  const ticks = ctx.options.ticks;
  const runner = await loadOurs("@octo/runner", ["JobRunner", "cron", "job"]);
  const rows: ResultRow[] = [];
  const configs = [
    {
      id: "scheduler.node-cron",
      label: "node-cron alone, 1 process",
      child: "node-cron-alone",
      instances: 1,
      peer: undefined,
    },
    {
      id: "scheduler.octo.1",
      label: "@octo/runner, 1 instance",
      child: "octo-scheduler",
      instances: 1,
      peer: "scheduler.node-cron",
    },
    {
      id: "scheduler.octo.3",
      label: "@octo/runner, 3 instances",
      child: "octo-scheduler",
      instances: 3,
      peer: "scheduler.node-cron",
    },
  ];
  for (const config of configs) {
    const bases = (["p50", "p99"] as const).map((p) => ({
      scenario: "scheduler",
      id: `${config.id}.${p}`,
      label: `${config.label}, fire lag ${p}`,
      unit: "ms",
      note: `${ticks} ticks of "* * * * * *" per round`,
      ...(config.peer ? { peer: `${config.peer}.${p}` } : {}),
    }));
    if (config.child === "octo-scheduler" && !runner.ok) {
      rows.push(...bases.map((base) => notMeasured(base, runner.reason)));
      continue;
    }
    try {
      const runs: number[][] = [];
      const notes: string[] = [];
      for (let round = 0; round < ctx.options.schedulerRounds; round++) {
        await ctx.redis.flush();
        const { lags, note } = await observe(ctx, config.child, config.instances, ticks);
        runs.push(lags);
        if (note) notes.push(note);
      }
      ctx.log(
        `${config.id}: p50 ${runs.map((l) => percentile(l, 50)).join(", ")} ms, p99 ${runs.map((l) => percentile(l, 99)).join(", ")} ms`,
      );
      rows.push(
        ...bases.map((base, i) => {
          const row = measured(
            base,
            runs.map((lags) => percentile(lags, i === 0 ? 50 : 99)),
          );
          return notes.length ? { ...row, note: `${row.note}; ${notes.join("; ")}` } : row;
        }),
      );
    } catch (error) {
      ctx.log(`${config.id}: not measured: ${errorText(error)}`);
      rows.push(...bases.map((base) => notMeasured(base, `failed: ${errorText(error)}`)));
    }
  }
  return rows;
}

async function observe(
  ctx: BenchContext,
  child: string,
  instances: number,
  ticks: number,
): Promise<{ lags: number[]; note?: string }> {
  const processes = Array.from({ length: instances }, (_, i) =>
    startChild(child, { BENCH_REDIS_URL: ctx.redis.url, BENCH_INDEX: String(i) }),
  );
  const redis = ctx.redis.client();
  try {
    await Promise.all(processes.map((p) => p.waitFor(/^ready/, 30_000)));
    // Fires before every instance was up are not counted.
    await redis.del("bench:fires");
    const deadline = Date.now() + (ticks + 15) * 1000;
    let fires: string[] = [];
    while (Date.now() < deadline) {
      await sleep(250);
      fires = await redis.lrange("bench:fires", 0, -1);
      if (new Set(fires.map((f) => f.split(" ")[1])).size >= ticks) break;
      const dead = processes.find((p) => p.child.exitCode !== null);
      if (dead) throw new Error(`instance exited: ${dead.output().trim().split("\n").slice(-2).join(" | ")}`);
    }
    const parsed = fires.map((f) => f.split(" ").map(Number) as [number, number, number]);
    const seconds = new Set(parsed.map(([, second]) => second));
    if (seconds.size < ticks) throw new Error(`saw ${seconds.size} of ${ticks} ticks in ${ticks + 15} s`);
    const firstTicks = [...seconds].sort((a, b) => a - b).slice(0, ticks);
    const counted = parsed.filter(([, second]) => firstTicks.includes(second));
    const duplicates = counted.length - firstTicks.length;
    return {
      lags: counted.map(([, , lag]) => lag),
      note:
        instances > 1
          ? `${duplicates} duplicate fires over ${ticks} ticks with ${instances} instances`
          : undefined,
    };
  } finally {
    await redis.quit();
    await Promise.all(processes.map((p) => p.kill("SIGTERM").catch(() => undefined)));
  }
}
