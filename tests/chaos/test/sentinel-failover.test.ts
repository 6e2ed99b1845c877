import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type NodeProcess, RedisServerProcess, startNodeProcess } from "@octo/testing";
import { Redis } from "ioredis";
import { afterAll, expect, test } from "vitest";
import { fixture, sleep, summary, waitUntil } from "./support";

const MASTER = "octo-primary";
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** One `redis-server --sentinel` watching `primaryPort`, with a config file of its own (Sentinel rewrites it). */
async function startSentinel(primaryPort: number): Promise<number> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "octo-sentinel-"));
  const conf = join(dir, "sentinel.conf");
  writeFileSync(
    conf,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      "protected-mode no",
      `dir ${dir}`,
      `sentinel monitor ${MASTER} 127.0.0.1 ${primaryPort} 2`,
      `sentinel down-after-milliseconds ${MASTER} 1000`,
      `sentinel failover-timeout ${MASTER} 10000`,
      `sentinel parallel-syncs ${MASTER} 1`,
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn("redis-server", [conf, "--sentinel"], { stdio: "ignore" });
  cleanups.push(async () => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  const probe = new Redis(port, "127.0.0.1", { lazyConnect: true, retryStrategy: () => 100 });
  probe.on("error", () => {});
  try {
    await waitUntil(
      `sentinel on ${port} watches the primary`,
      async () => {
        try {
          const addr = (await probe.call("SENTINEL", "get-master-addr-by-name", MASTER)) as string[] | null;
          return addr?.[1] === String(primaryPort);
        } catch {
          return false;
        }
      },
      15_000,
    );
  } finally {
    probe.disconnect();
  }
  return port;
}

/** The replica's `master_link_status` ("up" once it has synced), or "unreachable". */
async function replicaLink(port: number): Promise<string> {
  const probe = new Redis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 1 });
  probe.on("error", () => {});
  try {
    return /master_link_status:(\w+)/.exec(await probe.info("replication"))?.[1] ?? "none";
  } catch {
    return "unreachable";
  } finally {
    probe.disconnect();
  }
}

async function hlenOn(port: number, key: string): Promise<number> {
  const probe = new Redis(port, "127.0.0.1", { lazyConnect: true });
  probe.on("error", () => {});
  try {
    return await probe.hlen(key);
  } finally {
    probe.disconnect();
  }
}

function alive(p: NodeProcess): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

test("Sentinel failover: the primary is SIGKILLed mid-run; runners and queue workers survive and carry on against the new primary", async () => {
  // Redis 7 waits 5 s before a diskless full sync; without this the primary could die before its
  // replica ever held a key, and the "failover" would start from an empty server.
  const primary = await RedisServerProcess.start({ args: ["--repl-diskless-sync-delay", "0"] });
  cleanups.push(() => primary.stop());
  const replica = await RedisServerProcess.start({
    args: ["--replicaof", "127.0.0.1", String(primary.port)],
  });
  cleanups.push(() => replica.stop());
  await waitUntil("the replica is in sync", async () => (await replicaLink(replica.port)) === "up", 15_000);
  const sentinels: number[] = [];
  for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(primary.port));
  const client = new Redis({
    sentinels: sentinels.map((port) => ({ host: "127.0.0.1", port })),
    name: MASTER,
  });
  client.on("error", () => {});
  cleanups.push(async () => client.disconnect());

  const env = {
    SENTINELS: sentinels.map((p) => `127.0.0.1:${p}`).join(","),
    SENTINEL_NAME: MASTER,
    SCHEDULE: "*/3 * * * * *",
    ITEMS: "200",
    ITEM_MS: "10",
  };
  const procs = ["s1", "s2", "s3"].map((INSTANCE) => {
    const proc = startNodeProcess(fixture("hardened-runner.ts"), { env: { ...env, INSTANCE } });
    cleanups.push(() => proc.kill("SIGKILL"));
    return proc;
  });
  await Promise.all(procs.map((p) => p.waitFor(/^started/, 30_000)));
  // Let a fill be in progress when the primary dies.
  await waitUntil(
    "a fill is being worked",
    async () => Object.keys(await client.hgetall("hard:{handled}")).length > 20,
    20_000,
  );
  // The replica must hold the run so far, or the failover would test an empty server.
  const linkAtKill = await replicaLink(replica.port);
  const replicatedAtKill = await hlenOn(replica.port, "hard:{handled}");
  const killedAt = Date.now();
  await primary.kill();
  await waitUntil(
    "the replica is promoted",
    async () => {
      const probe = new Redis(replica.port, "127.0.0.1", { lazyConnect: true });
      probe.on("error", () => {});
      try {
        return ((await probe.call("ROLE")) as string[])[0] === "master";
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    },
    30_000,
  );
  const promotedAt = Date.now();
  // Carry on against the new primary: several query fires and every-second ticks. An ack the
  // replica never got leaves its take on the new primary until its lease (the queue's 30 s
  // default) lapses; the query job refuses to refill while it does, so fills may wait that long.
  await sleep(15_000);
  const fillsAfterPromotion = async () =>
    Object.keys(await client.hgetall("hard:{fills}")).filter((T) => Number(T) > promotedAt).length;
  await waitUntil("two fills after the failover", async () => (await fillsAfterPromotion()) >= 2, 45_000);
  await waitUntil(
    "every recorded fill after the failover is handled",
    async () => {
      const fills = await client.hgetall("hard:{fills}");
      const handled = await client.hgetall("hard:{handled}");
      return Object.entries(fills)
        .filter(([T]) => Number(T) > promotedAt)
        .every(([T, n]) => Array.from({ length: Number(n) }, (_, i) => handled[`${T}:${i}`]).every(Boolean));
    },
    30_000,
  );
  const fills = await client.hgetall("hard:{fills}");
  const handled = await client.hgetall("hard:{handled}");
  let items = 0;
  let lost = 0;
  let duplicates = 0;
  for (const [T, n] of Object.entries(fills)) {
    for (let i = 0; i < Number(n); i++) {
      items++;
      const count = Number(handled[`${T}:${i}`] ?? 0);
      if (count === 0) lost++;
      if (count > 1) duplicates++;
    }
  }
  const fillsAfter = Object.keys(fills).filter((T) => Number(T) > promotedAt).length;
  const tickRuns = Object.entries(await client.hgetall("hard:{tick-runs}"));
  const ticksAfter = tickRuns.filter(([T]) => Number(T) > promotedAt).length;
  const ticksTwice = tickRuns.filter(([, n]) => Number(n) > 1).length;
  const readonlySeen = procs.filter((p) => /READONLY/.test(p.output())).length;
  const aliveCount = procs.filter(alive).length;
  summary("sentinel-failover", {
    processes: procs.length,
    "replica-link-at-kill": linkAtKill,
    "handled-on-replica-at-kill": replicatedAtKill,
    alive: aliveCount,
    "failover-ms": promotedAt - killedAt,
    fills: Object.keys(fills).length,
    "fills-after-failover": fillsAfter,
    items,
    "items-lost": lost,
    duplicates,
    "ticks-after-failover": ticksAfter,
    "ticks-run-twice": ticksTwice,
    "processes-that-saw-readonly": readonlySeen,
  });
  expect(linkAtKill).toBe("up");
  expect(replicatedAtKill).toBeGreaterThan(0);
  expect(aliveCount).toBe(3);
  expect(fillsAfter).toBeGreaterThanOrEqual(2);
  expect(ticksAfter).toBeGreaterThanOrEqual(5);
}, 240_000);
