import "reflect-metadata";
import { fileURLToPath } from "node:url";
import { cron, JobRunner, job } from "@octo/runner";
import { type NodeProcess, startNodeProcess, startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/request-runner.ts", import.meta.url));
let redis: TestRedis;
const runs: string[] = [];

@cron("local")
class LocalJobs {
  @job("report", "0 0 1 1 *")
  async report() {
    runs.push("local.report");
  }
}
void LocalJobs;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** Files a request as `@octo/dashboard` does: push it, then announce the job. */
async function request(job: string, id: string, announce = true): Promise<void> {
  const client = redis.client();
  await client.rpush(`octo:run-requests:{${job}}`, JSON.stringify({ id, job, requestedAt: Date.now() }));
  if (announce) await client.publish("octo:run-requests", job);
}

describe("run requests", () => {
  it("each request filed in Redis runs exactly once across three instances", async () => {
    const processes: NodeProcess[] = [0, 1, 2].map((i) =>
      startNodeProcess(fixture, { env: { REDIS_URL: redis.url, INSTANCE: `p${i}` } }),
    );
    try {
      await Promise.all(processes.map((p) => p.waitFor(/^started$/, 30_000)));
      for (let i = 0; i < 6; i++) await request("requested.count", `r${i}`);
      const client = redis.client();
      await waitUntil(
        "six requested runs",
        async () => Number(await client.get("requested-runs")) >= 6,
        30_000,
        {
          describe: async () => [await client.get("requested-runs"), processes.map((p) => p.output())],
        },
      );
      // stop() waits for runs in progress, so nothing can still add to the count afterwards.
      for (const p of processes) expect(await p.kill("SIGTERM")).toBe(0);
      expect(Number(await client.get("requested-runs"))).toBe(6);
      expect(await client.llen("octo:run-requests:{requested.count}")).toBe(0);
      expect(await client.hget("octo:job:{requested.count}", "lastOutcome")).toBe("succeeded");
    } finally {
      for (const p of processes) await p.kill("SIGKILL").catch(() => undefined);
    }
  });

  it("takes requests filed before it started, and requests nobody announced, and leaves other jobs' requests", async () => {
    await request("local.report", "before-start", false);
    await request("elsewhere.job", "not-mine");
    const runner = new JobRunner(new Container(), { instanceId: "local-1" });
    await runner.start(redis.client());
    try {
      await waitUntil("the request filed before start ran", () => runs.length === 1, 30_000);
      // No PUBLISH: found by the periodic look.
      await request("local.report", "unannounced", false);
      await waitUntil("the unannounced request ran", () => runs.length === 2, 30_000);
      const last = await redis.client().hgetall("octo:job:{local.report}");
      expect(last).toMatchObject({ lastInstance: "local-1", lastOutcome: "succeeded" });
      expect(await redis.client().llen("octo:run-requests:{local.report}")).toBe(0);
      expect(await redis.client().llen("octo:run-requests:{elsewhere.job}")).toBe(1);
    } finally {
      await runner.stop();
    }
    expect(runs).toEqual(["local.report", "local.report"]);
  });

  it("a stopped runner takes no more requests and closes its listening connection", async () => {
    const client = redis.client();
    const connections = async () =>
      String(await client.call("CLIENT", "LIST"))
        .trim()
        .split("\n").length;
    const before = await connections();
    const runner = new JobRunner(new Container(), { instanceId: "local-2" });
    await runner.start(redis.client());
    await runner.stop();
    await waitUntil(
      "the runner's connections closed",
      async () => (await connections()) <= before + 1,
      10_000,
    );
    const ran = runs.length;
    await request("local.report", "after-stop");
    expect(await client.llen("octo:run-requests:{local.report}")).toBe(1);
    expect(runs.length).toBe(ran);
  });
});
