/**
 * Turns results.json into the published table (bench/RESULTS.md), like pino's
 * generate-benchmark-doc: `tsx src/report.ts [results.json] [RESULTS.md]`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { median, type ResultRow } from "./result";

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  command: string;
  options: { rounds: number; scale: number; only: string[]; ticks: number; schedulerRounds: number };
  machine: {
    cpu: string;
    cores: number;
    ramGb: number;
    node: string;
    redis: string;
    redisSource: string;
    platform: string;
  };
  versions: Record<string, string>;
  rows: ResultRow[];
}

const fmt = (value: number) =>
  !Number.isFinite(value)
    ? "—"
    : Math.abs(value) >= 100
      ? Math.round(value).toLocaleString("en")
      : value.toFixed(2);

function cell(row: ResultRow): { median: string; range: string } {
  if (row.notMeasured) return { median: `not measured: ${row.notMeasured}`, range: "" };
  const sorted = [...row.values].sort((a, b) => a - b);
  return {
    median: fmt(median(sorted)),
    range: `${fmt(sorted[0] as number)} – ${fmt(sorted[sorted.length - 1] as number)}`,
  };
}

export function ratio(rows: ResultRow[], row: ResultRow): number {
  const peer = rows.find((r) => r.id === row.peer);
  if (!peer || row.notMeasured || peer.notMeasured) return Number.NaN;
  return median(row.values) / median(peer.values);
}

const value = (rows: ResultRow[], id: string) => {
  const row = rows.find((r) => r.id === id);
  return row && !row.notMeasured ? median(row.values) : Number.NaN;
};

/** A goal an issue set, judged from this run's numbers. */
export interface Goal {
  issue: number;
  goal: string;
  verdict: string;
}

/** The goals the issues set for speed and memory, each judged from this run's numbers. */
export function goals(rows: ResultRow[]): Goal[] {
  const judge = (ok: number | boolean, text: string) =>
    typeof ok === "number" && Number.isNaN(ok) ? "not measured" : ok ? `met (${text})` : `missed (${text})`;
  const times = (a: number, b: number) => a / b;
  const x = (n: number) => `${fmt(n)}×`;
  const out: Goal[] = [];
  /** Ours at least `want` times the peer's rate. */
  const atLeast = (
    issue: number,
    goal: string,
    ours: string,
    peer: string,
    want: number,
    peerName = "BullMQ",
  ) => {
    const r = times(value(rows, ours), value(rows, peer));
    out.push({
      issue,
      goal,
      verdict: Number.isNaN(r) ? "not measured" : judge(r >= want, `${x(r)} ${peerName}`),
    });
  };
  /** The batched floor at most `within` times our rate, measured in turn with it. */
  const nearFloor = (issue: number, p: number, within: number) => {
    const r = times(value(rows, `floor.batch.p${p}`), value(rows, `floor.batch.p${p}.octo`));
    out.push({
      issue,
      goal: `queue within ${within}× of the batched floor at parallelism ${p}`,
      verdict: Number.isNaN(r) ? "not measured" : judge(r <= within, `floor is ${x(r)} ours`),
    });
  };
  for (const [p, want] of [
    [1, 5],
    [10, 10],
    [50, 10],
  ] as const) {
    atLeast(7, `queue ≥ ${want}× BullMQ at parallelism ${p}`, `queue.p${p}.octo`, `queue.p${p}.bullmq`, want);
  }
  for (const p of [1, 10, 50]) nearFloor(7, p, 2);
  const mem = times(value(rows, "memory.octo"), value(rows, "memory.bullmq"));
  out.push({
    issue: 7,
    goal: "Redis memory per waiting item ≤ 1/3 of BullMQ's",
    verdict: Number.isNaN(mem) ? "not measured" : judge(mem <= 1 / 3, `${x(mem)} BullMQ's`),
  });
  const rss = value(rows, "fill.rss.octo");
  out.push({
    issue: 7,
    goal: "peak RSS of the generator fill < 150 MB",
    verdict: Number.isNaN(rss) ? "not measured" : judge(rss < 150, `${fmt(rss)} MB`),
  });
  atLeast(7, "lock pairs/s ≥ redlock's", "locks.octo", "locks.redlock", 1, "redlock");
  const lag = value(rows, "scheduler.octo.3.p99");
  out.push({
    issue: 7,
    goal: "fire lag p99 < 50 ms with 3 instances",
    verdict: Number.isNaN(lag) ? "not measured" : judge(lag < 50, `${fmt(lag)} ms`),
  });
  // Issue 11: the same rows, with every lease and reply safeguard on.
  for (const [p, want] of [
    [1, 20],
    [10, 10],
    [50, 10],
  ] as const) {
    atLeast(
      11,
      `queue ≥ ${want}× BullMQ at parallelism ${p}`,
      `queue.p${p}.octo`,
      `queue.p${p}.bullmq`,
      want,
    );
  }
  for (const p of [1, 10, 50]) nearFloor(11, p, 1.5);
  // Issue 13: adding work at any time.
  atLeast(13, "add of single items ≥ 3× BullMQ's queue.add", "add.single.octo", "add.single.bullmq", 3);
  atLeast(13, "add of arrays of 100 ≥ 10× BullMQ's addBulk", "add.batch100.octo", "add.batch100.bullmq", 10);
  atLeast(
    13,
    "adding while consuming ≥ 10× BullMQ",
    "add.produce-consume.octo",
    "add.produce-consume.bullmq",
    10,
  );
  return out;
}

export function renderMarkdown(results: BenchResults): string {
  const { rows, machine, versions, options } = results;
  const lines: string[] = [
    "# Benchmark results",
    "",
    `Generated by \`bench/src/report.ts\` from \`results.json\` (run \`${results.command}\`, ${results.startedAt} → ${results.finishedAt}).`,
    `Do not edit by hand: run \`pnpm bench\` again.`,
    "",
    `Rounds: ${options.rounds} (scheduler: ${options.schedulerRounds}), scale: ${options.scale}, scheduler ticks: ${options.ticks}${options.only.length ? `, only: ${options.only.join(", ")}` : ""}.`,
    "Each cell is the median of the rounds; min – max beside it. Ratio = our median / the peer's median",
    "(higher is better for rates, lower is better for ms, bytes and MB). Redis is flushed (FLUSHALL) before every round.",
    "",
    "## Machine",
    "",
    `- CPU: ${machine.cpu}, ${machine.cores} cores; RAM ${machine.ramGb} GB; ${machine.platform}`,
    `- Node.js ${machine.node}; Redis ${machine.redis} (${machine.redisSource})`,
    `- Packages: ${Object.entries(versions)
      .map(([name, v]) => `${name} ${v}`)
      .join(", ")}`,
    "",
  ];
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  for (const scenario of scenarios) {
    const group = rows.filter((r) => r.scenario === scenario);
    lines.push(
      `## ${scenario}`,
      "",
      "| measurement | unit | median | min – max | ratio us / peer |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const row of group) {
      const { median: m, range } = cell(row);
      const r = ratio(rows, row);
      const peer = rows.find((p) => p.id === row.peer);
      lines.push(
        `| ${row.label} | ${row.unit} | ${m} | ${range} | ${Number.isNaN(r) ? "" : `${fmt(r)} (vs ${peer?.label})`} |`,
      );
    }
    const notes = [...new Set(group.map((r) => r.note).filter(Boolean))];
    if (notes.length) lines.push("", ...notes.map((n) => `- ${n}`));
    lines.push("");
  }
  lines.push("## Goals", "", "| issue | goal | this run |", "| --- | --- | --- |");
  for (const { issue, goal, verdict } of goals(rows)) lines.push(`| #${issue} | ${goal} | ${verdict} |`);
  lines.push("");
  return lines.join("\n");
}

/** Plain-text table for the terminal. */
export function renderTable(rows: ResultRow[]): string {
  const data = rows.map((row) => {
    const { median: m, range } = cell(row);
    const r = ratio(rows, row);
    return [row.id, row.unit, m, range, Number.isNaN(r) ? "" : `${fmt(r)}×`];
  });
  const header = ["measurement", "unit", "median", "min – max", "us/peer"];
  const widths = header.map((h, i) =>
    Math.min(60, Math.max(h.length, ...data.map((d) => (d[i] ?? "").length))),
  );
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  return [line(header), ...data.map(line)].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const input = process.argv[2] ?? new URL("../results.json", import.meta.url).pathname;
  const output = process.argv[3] ?? new URL("../RESULTS.md", import.meta.url).pathname;
  writeFileSync(output, renderMarkdown(JSON.parse(readFileSync(input, "utf8")) as BenchResults));
  console.log(`wrote ${output}`);
}
