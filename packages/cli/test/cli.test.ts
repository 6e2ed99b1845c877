import type { JobRunner } from "@octo/runner";
import { RedisQueue } from "@octo/runner";
import { freePort, startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadLetters, JOB_NAMES, octoJobs, octoJobsInProcess, runCounts, startRunner } from "./fixtures";

/**
 * The built `octo-jobs` spawned as a real process against a Redis where a runner ran jobs and a
 * queue holds dead letters. Independent commands run side by side: each spawn costs a Node start.
 */
let redis: TestRedis;
let runner: JobRunner;
let env: Record<string, string>;

beforeAll(async () => {
  redis = await startRedis();
  env = { REDIS_URL: redis.url };
  runner = await startRunner(redis, "cli-1");
  await runner.run("billing.invoice");
  await runner.run("billing.broken");
  await runner.run("billing.broken");
  await deadLetters(redis.client(), "outbox", 3);
  await new RedisQueue("later", redis.client()).fill([{ a: 1 }, { a: 2 }]);
});
afterAll(async () => {
  await runner?.stop();
  await redis?.stop();
});

const deadIds = async (queue: string) =>
  (await new RedisQueue(queue, redis.client()).deadLetters({ limit: 100 })).items.map((d) => d.id).sort();

describe("reading", () => {
  it("status prints every job in an aligned table, and the same jobs as JSON", async () => {
    const [table, json] = await Promise.all([octoJobs(["status"], env), octoJobs(["status", "--json"], env)]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^JOB\s+SCHEDULE\s+TIME ZONE\s+NEXT FIRE\s+LAST RUN\s+OUTCOME\s+DURATION$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[0])).toEqual(JOB_NAMES);
    const broken = lines.find((l) => l.startsWith("billing.broken")) ?? "";
    expect(broken).toMatch(
      /30 2 \* \* 1-5\s+Europe\/Berlin\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+\S+Z\s+failed\s+\d+ ms$/,
    );
    // Aligned: every row's OUTCOME cell starts where the header's does.
    const at = (lines[0] ?? "").indexOf("OUTCOME");
    for (const line of lines.slice(1)) expect(line.slice(at)).toMatch(/^(failed|succeeded) /);

    expect(json.code).toBe(0);
    const { jobs } = JSON.parse(json.stdout) as { jobs: Array<Record<string, unknown>> };
    expect(jobs.map((j) => j.job)).toEqual(JOB_NAMES);
    expect(jobs[0]).toMatchObject({
      job: "billing.broken",
      group: "billing",
      schedule: "30 2 * * 1-5",
      timezone: "Europe/Berlin",
      lastRun: { outcome: "failed", instance: "cli-1", error: "card declined\nby the bank" },
    });
    expect(new Date(jobs[0]?.nextFireAt as string).getTime()).toBeGreaterThan(Date.now());
  });

  it("history prints a job's runs newest first, --limit bounds them, --json has the runner's entries", async () => {
    const [all, one, json] = await Promise.all([
      octoJobs(["history", "billing.broken"], env),
      octoJobs(["history", "billing.broken", "--limit", "1"], env),
      octoJobs(["history", "billing.broken", "--json"], env),
    ]);
    expect(all.code, all.stderr).toBe(0);
    const rows = all.stdout.trimEnd().split("\n");
    expect(rows[0]).toMatch(/^SCHEDULED AT\s+OUTCOME\s+TRIGGER\s+INSTANCE\s+STARTED AT\s+DURATION\s+ERROR$/);
    expect(rows).toHaveLength(3);
    // A table shows the error's first line: one run, one line.
    for (const row of rows.slice(1))
      expect(row).toMatch(/\s+failed\s+run\s+cli-1\s+.*\d+ ms\s+card declined$/);
    expect(one.stdout.trimEnd().split("\n")).toHaveLength(2);
    const parsed = JSON.parse(json.stdout) as { job: string; entries: Array<Record<string, unknown>> };
    expect(parsed.job).toBe("billing.broken");
    expect(parsed.entries).toHaveLength(2);
    expect(parsed.entries[0]).toMatchObject({ outcome: "failed", trigger: "run", instance: "cli-1" });
    const history = await runner.history("billing.broken");
    expect(parsed.entries.map((e) => e.scheduledAt)).toEqual(history.map((e) => e.scheduledAt.toISOString()));
  });

  it("queues lists each queue's counts, right-aligned, and as JSON", async () => {
    const [table, json] = await Promise.all([octoJobs(["queues"], env), octoJobs(["queues", "--json"], env)]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^QUEUE\s+PENDING\s+IN FLIGHT\s+DELAYED\s+DEAD\s+OLDEST PENDING$/);
    expect(lines.find((l) => l.startsWith("later"))).toMatch(/^later\s+2\s+0\s+0\s+0\s+\S/);
    expect(lines.find((l) => l.startsWith("outbox"))).toMatch(/^outbox\s+0\s+0\s+0\s+3\s+-$/);
    const { queues } = JSON.parse(json.stdout) as { queues: Array<Record<string, unknown>> };
    expect(queues.find((q) => q.name === "outbox")).toEqual({
      name: "outbox",
      pending: 0,
      inFlight: 0,
      delayed: 0,
      dead: 3,
      oldestPendingAgeMs: null,
    });
  });

  it("dead-letters lists a page with ids and errors, and --cursor reads the next one", async () => {
    const [table, first] = await Promise.all([
      octoJobs(["dead-letters", "outbox"], env),
      octoJobs(["dead-letters", "outbox", "--limit", "2", "--json"], env),
    ]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+ATTEMPTS\s+LAST FAILED\s+ERROR\s+ITEM$/);
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.includes("cannot send 1"))).toMatch(
      /\s1\s+\S+Z\s+Error: cannot send 1\s+\{"n":1\}$/,
    );

    const page = JSON.parse(first.stdout) as { queue: string; items: Array<{ id: string }>; cursor: string };
    expect(page.items).toHaveLength(2);
    expect(page.cursor).toEqual(expect.any(String));
    const next = await octoJobs(
      ["dead-letters", "outbox", "--limit", "2", "--cursor", page.cursor, "--json"],
      env,
    );
    const rest = JSON.parse(next.stdout) as { items: Array<{ id: string }> };
    expect([...page.items, ...rest.items].map((d) => d.id).sort()).toEqual(await deadIds("outbox"));
  });
});

describe("acting", () => {
  it("requeue --id moves exactly that dead letter back to pending; remove-dead deletes one", async () => {
    await deadLetters(redis.client(), "acting", 3);
    const [first, second, third] = await deadIds("acting");
    const requeued = await octoJobs(["requeue", "acting", "--id", first as string, "--json"], env);
    expect(requeued.code, requeued.stderr).toBe(0);
    expect(JSON.parse(requeued.stdout)).toEqual({ queue: "acting", ids: [first], requeued: 1 });
    expect(await deadIds("acting")).toEqual([second, third]);
    expect((await new RedisQueue("acting", redis.client()).stats()).pending).toBe(1);

    const removed = await octoJobs(
      ["remove-dead", "acting", "--id", second as string, "--id", "no-such-id"],
      env,
    );
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe("removed 1 dead letter of queue acting\n");
    expect(removed.stderr).toContain("1 given id is not a dead letter of queue acting");
    expect(await deadIds("acting")).toEqual([third]);

    const all = await octoJobs(["requeue", "acting"], env);
    expect(all.stdout).toBe("requeued 1 dead letter of queue acting to pending\n");
    expect(await deadIds("acting")).toEqual([]);
  });

  it("run files a request that the running runner takes and runs", async () => {
    const before = runCounts.get("billing.invoice") ?? 0;
    const result = await octoJobs(["run", "billing.invoice", "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    const { requested } = JSON.parse(result.stdout) as { requested: { id: string; job: string } };
    expect(requested.job).toBe("billing.invoice");
    await waitUntil(
      "the runner to run the requested job",
      () => (runCounts.get("billing.invoice") ?? 0) === before + 1,
    );
    expect(await redis.client().llen("octo:run-requests:{billing.invoice}")).toBe(0);
  });
});

describe("exit codes and messages", () => {
  it("exits 1 quickly with a clear message when nothing listens at --redis", async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const [plain, json] = await Promise.all([
      octoJobs(["status", "--redis", url]),
      octoJobs(["queues", "--redis", url, "--json"]),
    ]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(
      /^octo-jobs: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+.*ECONNREFUSED/,
    );
    expect(plain.stdout).toBe("");
    // Node's start on a loaded machine included; the connect itself fails at once, with no retry.
    expect(plain.ms).toBeLessThan(15_000);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: "ERR_OCTO_CLI_REDIS_UNREACHABLE" } });
    expect(json.code).toBe(1);
  });

  it("exits 1 on an unknown job or queue and lists the known ones", async () => {
    const [job, queue, run, json] = await Promise.all([
      octoJobs(["history", "billing.nope"], env),
      octoJobsInProcess(["dead-letters", "nope"], env),
      octoJobsInProcess(["run", "nope"], env),
      octoJobsInProcess(["requeue", "nope", "--json"], env),
    ]);
    expect(job.code).toBe(1);
    expect(job.stderr).toBe(
      'octo-jobs: unknown job "billing.nope": known jobs: billing.broken, billing.invoice\n',
    );
    expect(queue.code).toBe(1);
    expect(queue.stderr).toMatch(/^octo-jobs: unknown queue "nope": known queues: .*\boutbox\b/);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown job "nope"');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({
      error: { code: "ERR_OCTO_CLI_UNKNOWN_QUEUE", queue: "nope", known: expect.arrayContaining(["outbox"]) },
    });
  });

  it.each([
    [["frob"], /unknown command "frob": use one of status, history/],
    [[], /no command given/],
    [["status", "--bogus"], /unknown flag --bogus/],
    [["history"], /history needs a job name/],
    [
      ["history", "billing.invoice", "--limit", "0"],
      /--limit "0" is not usable: pass a whole number from 1 to 10000/,
    ],
    [["history", "billing.invoice", "--limit"], /--limit needs a value/],
    [["dead-letters", "outbox", "--limit", "1001"], /from 1 to 1000/],
    [["dead-letters", "outbox", "--cursor", "abc"], /--cursor "abc" is not a cursor/],
    [["status", "--limit", "3"], /--limit does not apply to status/],
    [["remove-dead", "outbox"], /remove-dead needs at least one --id/],
    [["queues", "extra"], /queues takes no further argument/],
    [["status", "--redis", "http://x"], /--redis "http:\/\/x" is not a Redis URL/],
    [["status", "--prefix", "a{b}"], /--prefix "a\{b\}" is not a key prefix/],
  ])("exits 2 on octo-jobs %j", async (args, message) => {
    const result = await octoJobsInProcess(args as string[], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message as RegExp);
    expect(result.stderr).toContain('Run "octo-jobs --help"');
  });

  it("a wrong command line ends the process with exit code 2 and the message on stderr", async () => {
    const result = await octoJobs(["status", "--bogus"], env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      'octo-jobs: unknown flag --bogus\nRun "octo-jobs --help" for the commands and flags.\n',
    );
  });

  it("--help and --version exit 0", async () => {
    const [help, commandHelp, version] = await Promise.all([
      octoJobs(["--help"]),
      octoJobsInProcess(["requeue", "--help"]),
      octoJobsInProcess(["--version"]),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("dead-letters <queue> [--limit N] [--cursor C]");
    expect(commandHelp.stdout).toContain("requeue <queue> [--id ID ...]");
    expect(commandHelp.stdout).not.toContain("remove-dead");
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
