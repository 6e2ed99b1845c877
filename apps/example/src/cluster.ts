import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { serveDashboard } from "./dashboard.js";
import { RECORD_KEY } from "./recorder.js";
import { findRedis, NoRedisError } from "./redis-discovery.js";

/**
 * The multi-instance demo: three copies of the example share one Redis for ~20 s, record what
 * each ran, then this prints whether every tick ran on exactly one instance and how the
 * query items were spread.
 */
const INSTANCES = 3;
const DURATION_MS = Number(process.env.OCTO_EXAMPLE_DURATION_MS ?? 20_000);

interface Run {
  job: string;
  second: number;
  instance: string;
  item?: string;
}

async function main(): Promise<void> {
  let found: Awaited<ReturnType<typeof findRedis>>;
  try {
    found = await findRedis();
  } catch (error) {
    if (error instanceof NoRedisError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const redis = new Redis(found.url);
  await redis.del(RECORD_KEY);

  // This process runs no jobs; its dashboard reads what the instances write to Redis.
  const stopDashboard = await serveDashboard(redis);

  const main = fileURLToPath(new URL("./main.js", import.meta.url));
  console.log(`cluster: starting ${INSTANCES} instances for ${DURATION_MS / 1000} s on ${found.url}`);
  const children = Array.from({ length: INSTANCES }, (_, i) => {
    const name = `instance-${i + 1}`;
    const child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        REDIS_URL: found.url,
        OCTO_EXAMPLE_RECORD: "1",
        OCTO_EXAMPLE_INSTANCE: name,
        OCTO_EXAMPLE_DASHBOARD: "off",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const prefix = (line: string) => (line ? `${name} | ${line}` : "");
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line) console.log(prefix(line));
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    return { name, exited: new Promise<number | null>((r) => child.once("exit", (code) => r(code))), child };
  });

  await new Promise((r) => setTimeout(r, DURATION_MS));
  for (const { child } of children) child.kill("SIGTERM");
  const codes = await Promise.all(children.map((c) => c.exited));

  await stopDashboard();

  const runs = (await redis.lrange(RECORD_KEY, 0, -1)).map((s) => JSON.parse(s) as Run);
  printSummary(
    runs,
    children.map((c) => c.name),
    codes,
  );
  await redis.quit();
  await found.stop();
}

function printSummary(runs: Run[], instances: string[], codes: (number | null)[]): void {
  console.log("\n=== summary ===");
  console.log(`exit codes: ${instances.map((name, i) => `${name}=${codes[i]}`).join(", ")}`);

  // Simple job: one entry per tick, keyed by the second it started.
  const cleanup = runs.filter((r) => r.job === "maintenance.cleanup");
  const bySecond = new Map<number, string[]>();
  for (const r of cleanup) bySecond.set(r.second, [...(bySecond.get(r.second) ?? []), r.instance]);
  const twice = [...bySecond.values()].filter((list) => list.length > 1).length;
  console.log(`\nmaintenance.cleanup (simple job): ${bySecond.size} ticks`);
  for (const [second, list] of [...bySecond].sort((a, b) => a[0] - b[0])) {
    console.log(`  ${new Date(second * 1000).toISOString()}  ran on ${list.join(", ")}`);
  }
  console.log(
    twice === 0 ? "  every tick ran on exactly one instance" : `  ${twice} ticks ran more than once!`,
  );

  for (const job of [
    "users.send-notifications",
    "orders.process-pending",
    "big-data.process-records",
    "payments.charge",
  ]) {
    const items = runs.filter((r) => r.job === job);
    const perInstance = instances.map((name) => `${name}=${items.filter((r) => r.instance === name).length}`);
    const distinct = new Set(items.map((r) => `${r.second}:${r.item}`)).size;
    console.log(`\n${job} (query job): ${items.length} items processed; spread: ${perInstance.join(", ")}`);
    if (job === "big-data.process-records") {
      const ids = new Map<string, number>();
      for (const r of items) ids.set(r.item ?? "", (ids.get(r.item ?? "") ?? 0) + 1);
      console.log(`  ${ids.size} distinct record ids (each tick's query yields ids 0-199 again)`);
    } else {
      console.log(`  ${distinct} distinct (tick, item) pairs`);
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
