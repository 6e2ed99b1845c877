import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { BenchResults } from "../src/report";

const run = fileURLToPath(new URL("../src/run.ts", import.meta.url));
const tsx = createRequire(import.meta.url).resolve("tsx");
const outDir = mkdtempSync(join(tmpdir(), "octo-bench-smoke-"));

/** Every row the full benchmark reports; a scenario that stops producing one fails here. */
const expectedRows = [
  ...["p1", "p10", "p50", "3x10"].flatMap((p) => [`queue.${p}.octo`, `queue.${p}.bullmq`]),
  "handler.p10.octo",
  "handler.p10.bullmq",
  ...["single", "batch100", "produce-consume"].flatMap((k) => [`add.${k}.octo`, `add.${k}.bullmq`]),
  ...["list", "batch"].flatMap((kind) => ["p1", "p10", "p50"].map((p) => `floor.${kind}.${p}`)),
  ...["p1", "p10", "p50"].map((p) => `floor.batch.${p}.octo`),
  "fill.array.octo",
  "fill.generator.octo",
  "fill.array.bullmq",
  "fill.rss.octo",
  "memory.octo",
  "memory.bullmq",
  ...["p50", "p99"].flatMap((p) => [`latency.${p}.octo`, `latency.${p}.bullmq`]),
  "locks.octo",
  "locks.octo.withLock",
  "locks.redlock",
  "locks.bare",
  ...["node-cron", "octo.1", "octo.3"].flatMap((c) => [`scheduler.${c}.p50`, `scheduler.${c}.p99`]),
];

/** Rows that measure our own packages: a peer may be missing on a machine, ours never. */
const isOurs = (id: string) => id.split(".").includes("octo");

function runBenchmark(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", tsx, run, "--scale", "0.002", "--rounds", "1", "--ticks", "3", "--out", outDir],
      // Its own redis-server, so FLUSHALL cannot touch a database another test file claimed.
      { env: { ...process.env, REDIS_URL: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("exit", (code) => resolve({ code, output }));
  });
}

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("pnpm bench at tiny scale", () => {
  it("gives every scenario a number or the reason it was not measured, every one of ours a number, and writes RESULTS.md", async () => {
    const { code, output } = await runBenchmark();
    expect(code, output).toBe(0);
    const results = JSON.parse(readFileSync(join(outDir, "results.json"), "utf8")) as BenchResults;
    expect(results.rows.map((row) => row.id).sort()).toEqual([...expectedRows].sort());
    const oursUnmeasured = results.rows
      .filter((row) => isOurs(row.id) && (row.notMeasured !== undefined || row.values.length === 0))
      .map((row) => `${row.id}: ${row.notMeasured ?? "no value"}`);
    expect(oursUnmeasured).toEqual([]);
    for (const row of results.rows) {
      if (row.notMeasured) expect(row.notMeasured, row.id).toMatch(/\S/);
      else {
        expect(row.values, row.id).toHaveLength(1);
        expect(Number.isFinite(row.values[0]), row.id).toBe(true);
      }
    }
    const markdown = readFileSync(join(outDir, "RESULTS.md"), "utf8");
    for (const row of results.rows) expect(markdown).toContain(row.label);
    expect(markdown).toMatch(/## Machine[\s\S]*bullmq 6\./);
  }, 110_000);
});
