import { createDashboard, type DashboardOptions, type JobView } from "@octo/dashboard";
import type { JobRunner } from "@octo/runner";
import { RedisQueue } from "@octo/runner";
import { startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadLetters, JOB_NAMES, startRunner, XSS_PAYLOAD } from "./fixtures";
import { openPage, postAction, type Served, serveDashboard } from "./support";

let redis: TestRedis;
let runner: JobRunner;
let readOnly: Served;
let actions: Served;
let allow = true;

beforeAll(async () => {
  redis = await startRedis();
  runner = await startRunner(redis, "api-1");
  await runner.run("billing.invoice");
  await runner.run("billing.broken");
  await deadLetters(redis.client(), "outbox", 25, 7);
  await deadLetters(redis.client(), "retry-me", 2);
  await new RedisQueue("later", redis.client()).fill([{ a: 1 }, { a: 2 }, { a: 3 }]);
  readOnly = await serveDashboard({ redis: redis.client() });
  actions = await serveDashboard({ redis: redis.client(), readOnly: false, authorize: () => allow });
});
afterAll(async () => {
  await readOnly?.close();
  await actions?.close();
  await runner?.stop();
  await redis?.stop();
});

const getJson = async (url: string) => {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.json();
};

describe("JSON API", () => {
  it("lists every job the runner started with group, schedule in words, time zone and its next fire in that zone", async () => {
    const { jobs } = (await getJson(`${readOnly.url}/api/jobs`)) as { jobs: JobView[] };
    expect(jobs.map((j) => j.job)).toEqual(JOB_NAMES);
    const report = jobs.find((j) => j.job === "billing.report");
    expect(report).toMatchObject({
      group: "billing",
      schedule: "30 2 * * 1-5",
      timezone: "Europe/Berlin",
      scheduleWords: "at 02:30, Monday through Friday",
    });
    const now = Date.now();
    const next = (name: string) => new Date(jobs.find((j) => j.job === name)?.nextFireAt ?? Number.NaN);
    const local = (date: Date, timeZone: string) =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone,
        weekday: "short",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }).format(date);
    const invoice = next("billing.invoice");
    expect(invoice.getTime() % 3_600_000).toBe(0);
    expect(invoice.getTime() - now).toBeGreaterThan(0);
    expect(invoice.getTime() - now).toBeLessThanOrEqual(3_600_000);
    expect(local(next("billing.report"), "Europe/Berlin")).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 02:30:00$/);
    expect(next("billing.report").getTime() - now).toBeLessThanOrEqual(4 * 86_400_000);
    expect(local(next("mail.digest"), "America/New_York")).toMatch(/ 08:00:00$/);
    expect(next("mail.digest").getTime() - now).toBeLessThanOrEqual(86_400_000);
    expect(next("mail.digest").getTime() - now).toBeGreaterThan(0);
  });

  it("shows each job's last run with outcome, instance, duration and error", async () => {
    const { jobs } = (await getJson(`${readOnly.url}/api/jobs`)) as { jobs: JobView[] };
    const broken = jobs.find((j) => j.job === "billing.broken")?.lastRun;
    expect(broken).toMatchObject({
      outcome: "failed",
      instance: "api-1",
      error: expect.stringContaining("card <declined>"),
    });
    expect(broken?.durationMs).toBeGreaterThanOrEqual(0);
    expect(jobs.find((j) => j.job === "billing.invoice")?.lastRun).toMatchObject({
      outcome: "succeeded",
      error: null,
    });
    expect(jobs.find((j) => j.job === "mail.digest")?.lastRun).toBeNull();
  });

  it("lists every queue with pending, in-flight, delayed and dead counts", async () => {
    const { queues } = (await getJson(`${readOnly.url}/api/queues`)) as { queues: { name: string }[] };
    expect(queues).toEqual([
      expect.objectContaining({ name: "later", pending: 3, inFlight: 0, delayed: 0, dead: 0 }),
      expect.objectContaining({ name: "outbox", pending: 0, inFlight: 0, delayed: 0, dead: 25 }),
      expect.objectContaining({ name: "retry-me", pending: 0, dead: 2 }),
    ]);
  });

  it("pages through a queue's dead letters, decoded with error and attempts, each exactly once", async () => {
    const seen: { item: { n: number }; error: string; attempts: number; decoded: boolean }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "" : `&cursor=${cursor}`;
      const page = (await getJson(`${readOnly.url}/api/queues/outbox/dead-letters?limit=10${query}`)) as {
        items: typeof seen;
        cursor: string | null;
      };
      expect(page.items.length).toBeLessThanOrEqual(10);
      seen.push(...page.items);
      cursor = page.cursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.map((d) => d.item.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, n) => n));
    for (const letter of seen) {
      expect(letter).toMatchObject({
        decoded: true,
        attempts: 1,
        error: expect.stringContaining(`cannot send ${letter.item.n}`),
      });
    }
  });

  it("answers 404 for a queue that is not in Redis and 400 for a bad limit", async () => {
    expect((await fetch(`${readOnly.url}/api/queues/nope/dead-letters`)).status).toBe(404);
    expect((await fetch(`${readOnly.url}/api/queues/outbox/dead-letters?limit=0`)).status).toBe(400);
  });
});

describe("the page without JavaScript", () => {
  it("shows every job with its next fire time, last outcome and the queues", async () => {
    const html = await (await fetch(`${readOnly.url}/`)).text();
    for (const name of JOB_NAMES) expect(html).toContain(`data-job="${name}"`);
    const { jobs } = (await getJson(`${readOnly.url}/api/jobs`)) as { jobs: JobView[] };
    for (const job of jobs) expect(html).toContain(`datetime="${job.nextFireAt}"`);
    expect(html).toContain("at 02:30, Monday through Friday");
    expect(html).toContain("Europe/Berlin");
    expect(html).toContain("card &lt;declined&gt; &amp; &quot;refused&quot;");
    expect(html).toContain(`data-queue="outbox"`);
  });

  it("shows a queue's dead letters with their errors, the XSS payload escaped as text", async () => {
    // Follow the "Next page" links, as a reader without JavaScript does.
    const pages: string[] = [];
    let next: string | undefined = "/queues/outbox";
    while (next !== undefined) {
      const html = await (await fetch(`${readOnly.url}${next}`)).text();
      pages.push(html);
      next = /<a rel="next" href="([^"]+)"/.exec(html)?.[1]?.replaceAll("&amp;", "&");
    }
    expect(pages.length).toBeGreaterThanOrEqual(2);
    const first = pages[0] ?? "";
    const both = pages.join("");
    for (let n = 0; n < 25; n++) expect(both).toContain(`cannot send ${n}`);
    expect(both).toContain("cannot send 7");
    expect(both).toContain("&lt;script&gt;window.__octoXss = true&lt;/script&gt;");
    expect(both).not.toContain(XSS_PAYLOAD);
    expect(both).not.toContain("<script>window");
    expect(first).toContain(`rel="next"`);
  });
});

describe("safety", () => {
  it("a read-only dashboard shows no action buttons and answers 403 to every action, writing nothing", async () => {
    const page = await openPage(`${readOnly.url}/`);
    const queuePage = await openPage(`${readOnly.url}/queues/outbox`);
    expect(page.html + queuePage.html).not.toMatch(/<form|<button/);
    const before = await redis.client().hlen("octo:q:{outbox}:dead");
    for (const path of ["/api/queues/outbox/requeue", "/api/jobs/billing.invoice/run"]) {
      const res = await postAction(`${readOnly.url}${path}`, page);
      expect(res.status).toBe(403);
    }
    expect(await redis.client().hlen("octo:q:{outbox}:dead")).toBe(before);
    expect(await redis.client().exists("octo:run-requests:{billing.invoice}")).toBe(0);
  });

  it("reading every page and API route sends Redis no write command", async () => {
    const monitor = await redis.client().monitor();
    const commands: string[] = [];
    monitor.on("monitor", (_time: string, args: string[]) => commands.push(String(args[0]).toLowerCase()));
    for (const path of [
      "/",
      "/queues/outbox",
      "/api/jobs",
      "/api/queues",
      "/api/queues/outbox/dead-letters?limit=5",
    ]) {
      expect((await fetch(`${actions.url}${path}`)).status).toBe(200);
    }
    await redis.client().ping("end-of-reads");
    await waitUntil("the monitor saw the reads", () => commands.includes("ping"));
    await monitor.disconnect();
    // MONITOR also lists each command a script runs, so a write inside a script shows by name.
    const reads = new Set(
      "smembers hgetall hget hello scan llen lindex zcard hlen hscan sismember time ping info select client eval evalsha".split(
        " ",
      ),
    );
    expect(commands.filter((command) => !reads.has(command))).toEqual([]);
    expect(commands).toEqual(expect.arrayContaining(["hgetall", "hscan", "lindex"]));
  });

  it("answers only its own routes: others go to next(), or get 404 without one", async () => {
    const mounted = await serveDashboard({ redis: redis.client(), basePath: "/ops/" }, (_req, res) => {
      res.writeHead(299).end("app");
    });
    try {
      expect((await fetch(`${mounted.url}/ops/`)).status).toBe(200);
      expect((await fetch(`${mounted.url}/ops/api/jobs`)).status).toBe(200);
      for (const path of [
        "/",
        "/opsx",
        "/other/api/jobs",
        "/ops/unknown",
        "/ops/api/nope",
        "/ops/assets/x.js",
      ]) {
        const res = await fetch(`${mounted.url}${path}`);
        expect({ path, status: res.status }).toEqual({ path, status: 299 });
      }
    } finally {
      await mounted.close();
    }
    expect((await fetch(`${readOnly.url}/unknown`)).status).toBe(404);
  });
});

describe("actions", () => {
  it("refuse a request without the page's token, from another site, or not authorized, writing nothing", async () => {
    const page = await openPage(`${actions.url}/queues/retry-me`);
    expect(page.token).not.toBe("");
    const url = `${actions.url}/api/queues/retry-me/requeue`;
    const refused = [
      await postAction(url, { ...page, token: "" }),
      await postAction(url, { ...page, token: `${page.token.slice(1)}x` }),
      await postAction(url, { ...page, cookie: "" }),
      await postAction(url, page, { origin: "http://evil.example" }),
      await postAction(url, page, { "sec-fetch-site": "cross-site" }),
    ];
    allow = false;
    refused.push(await postAction(url, page));
    allow = true;
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(await redis.client().hlen("octo:q:{retry-me}:dead")).toBe(2);
    expect((await fetch(url, { method: "GET" })).status).toBe(405);
  });

  it("requeue all moves a queue's dead letters back to pending", async () => {
    const page = await openPage(`${actions.url}/queues/retry-me`);
    const res = await postAction(`${actions.url}/api/queues/retry-me/requeue`, page);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ requeued: 2 });
    expect(await redis.client().hlen("octo:q:{retry-me}:dead")).toBe(0);
    expect(await redis.client().llen("octo:q:{retry-me}:pending")).toBe(2);
  });

  it("requeue and remove of single dead letters act on those ids only", async () => {
    await deadLetters(redis.client(), "one-by-one", 4);
    const page = await openPage(`${actions.url}/queues/one-by-one`);
    const ids = (await redis.client().hkeys("octo:q:{one-by-one}:dead")).sort();
    expect(ids).toHaveLength(4);
    const [a, b, c] = ids as [string, string, string];
    const base = `${actions.url}/api/queues/one-by-one`;
    const requeued = await postAction(`${base}/dead-letters/${a}/requeue`, page);
    expect(await requeued.json()).toEqual({ requeued: 1 });
    const removed = await postAction(`${base}/dead-letters/${b}/remove`, page);
    expect(await removed.json()).toEqual({ removed: 1 });
    const body = await postAction(`${base}/requeue`, page, {}, JSON.stringify({ ids: [c] }));
    expect(await body.json()).toEqual({ requeued: 1 });
    expect((await postAction(`${base}/requeue`, page, {}, JSON.stringify({ ids: "all" }))).status).toBe(400);
    const left = await redis.client().hkeys("octo:q:{one-by-one}:dead");
    expect(left).toEqual(ids.filter((id) => id !== a && id !== b && id !== c));
    expect(await redis.client().llen("octo:q:{one-by-one}:pending")).toBe(2);
  });

  it("a form post from the page (no JavaScript) requeues and redirects back to the queue", async () => {
    await deadLetters(redis.client(), "form-queue", 1);
    const page = await openPage(`${actions.url}/queues/form-queue`);
    const res = await fetch(`${actions.url}/api/queues/form-queue/requeue`, {
      method: "POST",
      redirect: "manual",
      headers: {
        cookie: page.cookie,
        "content-type": "application/x-www-form-urlencoded",
        origin: actions.url,
      },
      body: new URLSearchParams({ _csrf: page.token }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/queues/form-queue");
    expect(await redis.client().llen("octo:q:{form-queue}:pending")).toBe(1);
  });

  it("run now files one request in Redis and announces the job on the run-requests channel", async () => {
    // Stopped on the only runner, so the request stays in Redis to be looked at.
    await runner.stop("mail.digest");
    const subscriber = redis.client();
    const messages: string[] = [];
    subscriber.on("message", (channel: string, message: string) => messages.push(`${channel} ${message}`));
    await subscriber.subscribe("octo:run-requests");
    const page = await openPage(`${actions.url}/`);
    const res = await postAction(`${actions.url}/api/jobs/mail.digest/run`, page);
    expect(res.status).toBe(200);
    const { requested } = (await res.json()) as { requested: { id: string } };
    const queued = await redis.client().lrange("octo:run-requests:{mail.digest}", 0, -1);
    expect(queued.map((text) => JSON.parse(text))).toEqual([
      { id: requested.id, job: "mail.digest", requestedAt: expect.any(Number) },
    ]);
    await waitUntil("the run request was published", () => messages.length > 0);
    expect(messages).toEqual(["octo:run-requests mail.digest"]);
    const unknown = await postAction(`${actions.url}/api/jobs/nope/run`, page);
    expect(unknown.status).toBe(404);
    expect(await redis.client().exists("octo:run-requests:{nope}")).toBe(0);
    await redis.client().del("octo:run-requests:{mail.digest}");
  });
});

describe("options", () => {
  it("are checked when the dashboard is created, with a typed error naming the option", () => {
    const client = redis.client();
    const cases: [unknown, string][] = [
      [{ redis: {} }, "options.redis"],
      [{ redis: client, prefix: "" }, "options.prefix"],
      [{ redis: client, prefix: "a{b}" }, "options.prefix"],
      [{ redis: client, readOnly: "no" }, "options.readOnly"],
      [{ redis: client, readOnly: false }, "options.authorize"],
      [{ redis: client, authorize: "admin" }, "options.authorize"],
      [{ redis: client, basePath: "dash" }, "options.basePath"],
      [{ redis: client, registry: {} }, "options.registry"],
      [{ redis: client, registry: { metrics: async () => "", contentType: 1 } }, "options.registry"],
    ];
    for (const [options, argument] of cases) {
      expect(() => createDashboard(options as DashboardOptions)).toThrow(
        expect.objectContaining({
          code: "ERR_OCTO_INVALID_ARGUMENT",
          argument,
          message: expect.stringContaining(argument),
        }),
      );
    }
  });
});
