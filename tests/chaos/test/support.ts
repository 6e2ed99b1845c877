import { fileURLToPath } from "node:url";
import type { Cluster, Redis } from "ioredis";

// One wait-until and one sleep for every package's tests; re-exported for the chaos files that import them from here.
export { sleep, waitUntil } from "@octo/testing";

/** Absolute path of a fixture in test/fixtures, for startNodeProcess. */
export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Prints a scenario's one summary line, `chaos <scenario>: key=value ...`, so it shows in CI logs. */
export function summary(scenario: string, figures: Record<string, number | string>): string {
  const line = `chaos ${scenario}: ${Object.entries(figures)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ")}`;
  console.log(line);
  return line;
}

/** Every key in the database with its type and a DUMP of its value, to prove nothing was written. */
export async function snapshotKeys(redis: Redis): Promise<Record<string, string>> {
  const keys = (await redis.keys("*")).sort();
  const snapshot: Record<string, string> = {};
  for (const key of keys) {
    const dump = await redis.dumpBuffer(key);
    snapshot[key] = dump ? dump.toString("base64") : "(gone)";
  }
  return snapshot;
}

/** Counts of a hash of `id -> times processed`: ids never seen, seen once, seen more than once. */
export async function processedCounts(
  redis: Redis | Cluster,
  key: string,
  ids: Iterable<string>,
): Promise<{ lost: string[]; duplicates: string[]; processed: number }> {
  const counts = await redis.hgetall(key);
  const lost: string[] = [];
  const duplicates: string[] = [];
  let processed = 0;
  for (const id of ids) {
    const n = Number(counts[id] ?? 0);
    if (n === 0) lost.push(id);
    else processed++;
    if (n > 1) duplicates.push(id);
  }
  return { lost, duplicates, processed };
}
