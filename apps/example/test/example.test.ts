import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PrometheusScrape, startNodeProcess, startRedis, type TestRedis, waitUntil } from "@octo/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
/** The `octo-jobs` command as the installed @octo/cli provides it. */
const octoJobs = join(
  dirname(createRequire(import.meta.url).resolve("@octo/cli/package.json")),
  "dist/bin.js",
);

let redis: TestRedis;
let client: Redis;

beforeAll(async () => {
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`pnpm build\` first`);
  redis = await startRedis();
  client = redis.client();
});

afterAll(async () => {
  await redis?.stop();
});

/** Sum of a queue part (`takes`, `dead`…) over every queue the runner made. */
async function countInQueues(part: "takes" | "dead"): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `octo:q:{*}:${part}`, "COUNT", 100);
    cursor = next;
    for (const key of keys) {
      const type = await client.type(key);
      const n =
        type === "zset"
          ? await client.zcard(key)
          : type === "list"
            ? await client.llen(key)
            : type === "hash"
              ? await client.hlen(key)
              : 0;
      counts.set(key, n);
    }
  } while (cursor !== "0");
  return counts;
}

it("runs every kind of job within 30 s, serves the dashboard and its metrics, and exits 0 on SIGTERM with nothing in flight", async () => {
  const example = startNodeProcess(main, { env: { REDIS_URL: redis.url, OCTO_EXAMPLE_DASHBOARD_PORT: "0" } });
  const kinds = [
    /\[maintenance\.cleanup\] simple job ran/,
    /\[users\.send-notifications\] query job item/,
    /\[big-data\.process-records\] async generator/,
    /\[orders\.process-pending\] injected services/,
    /\[payments\.charge\] retry: attempt 2 .* succeeded/,
    /\[payments\.import-legacy\] dead letter/,
  ];
  try {
    await Promise.all(kinds.map((kind) => example.waitFor(kind, 40_000)));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- output ---\n${example.output()}`);
  }

  const importLegacyDead = async () =>
    [...(await countInQueues("dead"))].filter(([key, n]) => key.includes("import-legacy") && n > 0);
  await waitUntil(
    "a dead letter in the import-legacy queue",
    async () => (await importLegacyDead()).length > 0,
    20_000,
    {
      intervalMs: 250,
      describe: async () => [...(await countInQueues("dead"))],
    },
  );

  const line = await example.waitFor(/^dashboard: /, 10_000);
  const url = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(line)?.[1];
  expect(url, line).toBeDefined();
  const page = await (await fetch(url ?? "")).text();
  for (const job of ["maintenance.cleanup", "payments.import-legacy", "big-data.process-records"]) {
    expect(page).toContain(`data-job="${job}"`);
  }
  expect(page).toContain("Run now");

  // The command line reads the same keys: the jobs the page shows.
  const { stdout } = await promisify(execFile)(process.execPath, [octoJobs, "status", "--json"], {
    env: { ...process.env, REDIS_URL: redis.url },
  });
  const status = JSON.parse(stdout) as { jobs: Array<{ job: string }> };
  const shown = status.jobs.map((j) => j.job);
  for (const job of ["maintenance.cleanup", "payments.import-legacy", "big-data.process-records"]) {
    expect(shown).toContain(job);
  }

  // Prometheus reads the same server: the counters match what the handlers printed.
  const metricsLine = await example.waitFor(/^metrics: /, 10_000);
  const metricsUrl = /^metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)$/.exec(metricsLine)?.[1];
  expect(metricsUrl, metricsLine).toBeDefined();
  const cleanups = () => example.output().match(/\[maintenance\.cleanup\] simple job ran/g)?.length ?? 0;
  const printedBefore = cleanups();
  const scrape = PrometheusScrape.parse(await (await fetch(metricsUrl ?? "")).text());
  const printedAfter = cleanups();
  const cleanupRuns = scrape.value("octo_job_runs_total", {
    job: "maintenance.cleanup",
    outcome: "succeeded",
  });
  // A run prints before it finishes, so at most the one in progress is printed but not yet counted.
  expect(cleanupRuns).toBeGreaterThanOrEqual(Math.max(1, printedBefore - 1));
  expect(cleanupRuns).toBeLessThanOrEqual(printedAfter);
  const legacy = { queue: "payments.import-legacy" };
  expect(
    scrape.value("octo_queue_items_dead_lettered_total", { ...legacy, reason: "failed" }),
  ).toBeGreaterThanOrEqual(1);
  expect(scrape.value("octo_queue_dead_items", legacy)).toBeGreaterThanOrEqual(1);
  expect(scrape.value("octo_queue_items_failed_total", { queue: "payments.charge" })).toBeGreaterThanOrEqual(
    1,
  );

  const code = await example.kill("SIGTERM");
  expect(code, example.output()).toBe(0);
  expect(example.output()).toMatch(/example: stopped cleanly/);

  // A live take is one that still holds an item: none may be left.
  const takes = await countInQueues("takes");
  expect([...takes].filter(([, n]) => n > 0)).toEqual([]);
}, 120_000);
