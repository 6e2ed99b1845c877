/**
 * `pnpm bench`: every scenario of the benchmark, us and the peers on the same Redis in the same
 * run; prints the table and writes results.json and RESULTS.md (see bench/README.md).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchContext } from "./context";
import { parseOptions, SCENARIOS, type ScenarioName } from "./options";
import { openRedis } from "./redis";
import { type BenchResults, renderMarkdown, renderTable } from "./report";
import type { ResultRow } from "./result";
import { add } from "./scenarios/add";
import { fill } from "./scenarios/fill";
import { floors } from "./scenarios/floor";
import { handler } from "./scenarios/handler";
import { latency } from "./scenarios/latency";
import { locks } from "./scenarios/locks";
import { memory } from "./scenarios/memory";
import { queueThroughput } from "./scenarios/queue";
import { scheduler } from "./scenarios/scheduler";

const benchDir = fileURLToPath(new URL("..", import.meta.url));
const scenarios: Record<ScenarioName, (ctx: BenchContext) => Promise<ResultRow[]>> = {
  queue: queueThroughput,
  handler,
  add,
  floor: floors,
  fill,
  memory,
  latency,
  locks,
  scheduler,
};

function version(path: string): string {
  const file = join(benchDir, path, "package.json");
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version
    : "missing";
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env, benchDir);
  const startedAt = new Date().toISOString();
  const redis = await openRedis();
  const log = (message: string) => console.error(`[bench] ${message}`);
  const stop = async () => {
    await redis.stop();
  };
  process.once("SIGINT", () => void stop().finally(() => process.exit(130)));
  const rows: ResultRow[] = [];
  try {
    log(`Redis: ${redis.source}; rounds ${options.rounds}, scale ${options.scale}`);
    const ctx: BenchContext = { redis, options, log };
    for (const name of SCENARIOS) {
      if (options.only.length && !options.only.includes(name)) continue;
      log(`scenario ${name}`);
      rows.push(...(await scenarios[name](ctx)));
    }
    await redis.flush();
    const cpu = cpus();
    const results: BenchResults = {
      startedAt,
      finishedAt: new Date().toISOString(),
      command: ["pnpm bench", ...process.argv.slice(2)].join(" "),
      options,
      machine: {
        cpu: cpu[0]?.model.trim() ?? "unknown",
        cores: cpu.length,
        ramGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
        node: process.version,
        redis: await redis.version(),
        redisSource: process.env.REDIS_URL ? "REDIS_URL" : "redis-server started by the benchmark, same host",
        platform: `${platform()} ${release()}`,
      },
      versions: {
        bullmq: version("node_modules/bullmq"),
        redlock: version("node_modules/redlock"),
        "node-cron": version("node_modules/node-cron"),
        "@octo/redis-queue": version("../packages/redis-queue"),
        "@octo/redis-lock": version("../packages/redis-lock"),
        "@octo/runner": version("../packages/runner"),
      },
      rows,
    };
    mkdirSync(options.outDir, { recursive: true });
    writeFileSync(join(options.outDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(options.outDir, "RESULTS.md"), renderMarkdown(results));
    console.log(renderTable(rows));
    log(`wrote ${join(options.outDir, "RESULTS.md")}`);
  } finally {
    await stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
