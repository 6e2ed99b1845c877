import { fileURLToPath } from "node:url";
import { type NodeProcess, startNodeProcess, startRedis, type TestRedis } from "@octo/testing";
import { afterAll, afterEach, beforeAll } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/ledger-runner.ts", import.meta.url));

/** One entry of a job's history as the runner stores it. */
export interface LedgerEntry {
  T: number;
  outcome: string;
  instance: string | null;
  trigger: string;
}

/**
 * A Redis for the file and runner processes of `fixtures/ledger-runner.ts` against it, for the
 * tests that kill runners and read what their history says. Processes still alive after a test
 * are stopped; the Redis is stopped after the file.
 */
export function useLedgerRunners() {
  let redis: TestRedis | undefined;
  const procs: NodeProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) await p.kill("SIGTERM");
    }
  });
  afterAll(async () => {
    await redis?.stop();
  });
  const server = (): TestRedis => {
    if (!redis) throw new Error("the ledger tests' Redis is not started: use it inside a test");
    return redis;
  };
  return {
    redis: server,
    start(instance: string, env: Record<string, string>): NodeProcess {
      const p = startNodeProcess(fixture, { env: { REDIS_URL: server().url, INSTANCE: instance, ...env } });
      procs.push(p);
      return p;
    },
    async history(job: string): Promise<LedgerEntry[]> {
      return (await server().client().lrange(`octo:history:{${job}}`, 0, -1)).map(
        (e) => JSON.parse(e) as LedgerEntry,
      );
    },
  };
}
