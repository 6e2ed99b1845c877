import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JobView } from "@octo/dashboard";
import type { JobRunner } from "@octo/runner";
import { startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadLetters, JOB_NAMES, runCounts, startRunner } from "./fixtures";
import { type Served, serveDashboard } from "./support";

let redis: TestRedis;
let runner: JobRunner;
let readOnly: Served;
let actions: Served;
let browser: Browser;
const screenshots = mkdtempSync(join(tmpdir(), "octo-dashboard-screenshots-"));

beforeAll(async () => {
  console.log(`dashboard screenshots: ${screenshots}`);
  redis = await startRedis();
  runner = await startRunner(redis, "browser-1");
  await runner.run("billing.invoice");
  await runner.run("billing.broken");
  await deadLetters(redis.client(), "outbox", 3, 1);
  await deadLetters(redis.client(), "requeue-me", 2);
  await deadLetters(redis.client(), "pick-one", 3);
  readOnly = await serveDashboard({ redis: redis.client() });
  actions = await serveDashboard({
    redis: redis.client(),
    readOnly: false,
    authorize: (req) => req.socket.remoteAddress === "127.0.0.1",
  });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
});
afterAll(async () => {
  await browser?.close();
  await readOnly?.close();
  await actions?.close();
  await runner?.stop();
  await redis?.stop();
});

/** What the tests read in the page (its globals, typed without the DOM library). */
interface PageGlobals {
  __octoXss: boolean;
}

/** A fresh page whose `window.__octoXss` flag only an injected script could set. */
async function open(url: string, javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1400, height: 900 } });
  await context.addInitScript(() => {
    (globalThis as unknown as PageGlobals).__octoXss = false;
  });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

describe("in Chromium", () => {
  it("the page lists every job with its next fire time", async () => {
    const page = await open(`${actions.url}/`);
    const { jobs } = (await (await fetch(`${actions.url}/api/jobs`)).json()) as { jobs: JobView[] };
    for (const name of JOB_NAMES) {
      const row = page.locator(`tr[data-job="${name}"]`);
      await expect(row.locator("td.name").textContent()).resolves.toBe(name);
      const next = jobs.find((j) => j.job === name)?.nextFireAt;
      expect(next).toEqual(expect.any(String));
      await expect(row.locator("td.next-fire time").getAttribute("datetime")).resolves.toBe(next);
    }
    await expect(page.locator('tr[data-job="billing.broken"] td.error').textContent()).resolves.toContain(
      `card <declined> & "refused"`,
    );
    await page.screenshot({ path: join(screenshots, "overview.png"), fullPage: true });
  });

  it("is readable with JavaScript off", async () => {
    const page = await open(`${actions.url}/`, false);
    await expect(page.locator("tr[data-job]").count()).resolves.toBe(JOB_NAMES.length);
    await expect(page.locator('tr[data-queue="outbox"] td.dead').textContent()).resolves.toBe("3");
    await page.close();
  });

  it("a dead letter appears with its error, and an XSS payload in its item renders inert", async () => {
    const page = await open(`${actions.url}/queues/outbox`);
    await expect(page.locator("tr[data-id] td.error").allTextContents()).resolves.toEqual(
      expect.arrayContaining([
        expect.stringContaining("cannot send 0"),
        expect.stringContaining("cannot send 1"),
      ]),
    );
    const items = (await page.locator("tr[data-id] td.item").allTextContents()).join("\n");
    expect(items).toContain(`<script>window.__octoXss = true</script>`);
    expect(items).toContain(`<img src=x onerror=\\"window.__octoXss = true\\">`);
    // The refresh script replaces the content from fetched HTML: wait for one round of that too.
    await page.locator("body[data-refreshes]").waitFor({ state: "attached", timeout: 30_000 });
    await expect(page.evaluate(() => (globalThis as unknown as PageGlobals).__octoXss)).resolves.toBe(false);
    await expect(page.locator("td.item script, td.item img").count()).resolves.toBe(0);
    await page.screenshot({ path: join(screenshots, "dead-letters.png"), fullPage: true });
  });

  it("clicking requeue moves the dead letters back to pending in Redis", async () => {
    const page = await open(`${actions.url}/queues/requeue-me`);
    await page.click("button.requeue-all");
    await page.waitForURL(`${actions.url}/queues/requeue-me`);
    const client = redis.client();
    expect(await client.hlen("octo:q:{requeue-me}:dead")).toBe(0);
    expect(await client.llen("octo:q:{requeue-me}:pending")).toBe(2);
    await expect(page.locator('tr[data-queue="requeue-me"] td.pending').textContent()).resolves.toBe("2");
  });

  it("clicking requeue or remove on one dead letter acts on that one only (checked in Redis)", async () => {
    const page = await open(`${actions.url}/queues/pick-one`);
    const ids = await page
      .locator("tr[data-id]")
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-id") ?? ""));
    expect(ids).toHaveLength(3);
    const [first, second, third] = ids as [string, string, string];
    await page.click(`tr[data-id="${first}"] button.requeue-one`);
    await page.waitForURL(`${actions.url}/queues/pick-one`);
    await page.click(`tr[data-id="${second}"] button.remove-one`);
    await page.waitForURL(`${actions.url}/queues/pick-one`);
    const client = redis.client();
    expect(await client.hkeys("octo:q:{pick-one}:dead")).toEqual([third]);
    expect(await client.llen("octo:q:{pick-one}:pending")).toBe(1);
    await expect(page.locator("tr[data-id]").count()).resolves.toBe(1);
  });

  it("clicking run now runs the job once on the running instance", async () => {
    const page = await open(`${actions.url}/`);
    expect(runCounts.get("billing.report")).toBeUndefined();
    await page.click('tr[data-job="billing.report"] button.run-now');
    await page.waitForURL(`${actions.url}/`);
    const lastRun = page.locator('tr[data-job="billing.report"] td.last-run');
    await waitUntil(
      "the page showed the requested run",
      async () => (await lastRun.textContent())?.includes("succeeded") ?? false,
    );
    expect(runCounts.get("billing.report")).toBe(1);
    expect(await redis.client().llen("octo:run-requests:{billing.report}")).toBe(0);
    await expect(page.locator('tr[data-job="billing.report"] td.instance').textContent()).resolves.toBe(
      "browser-1",
    );
  });

  it("the page shows a new run without a reload", async () => {
    const page = await open(`${actions.url}/`);
    const lastRun = page.locator('tr[data-job="mail.digest"] td.last-run');
    await expect(lastRun.textContent()).resolves.toContain("never");
    await runner.run("mail.digest");
    await waitUntil(
      "the page showed the run",
      async () => (await lastRun.textContent())?.includes("succeeded") ?? false,
    );
    await expect(page.locator('tr[data-job="mail.digest"] td.instance').textContent()).resolves.toBe(
      "browser-1",
    );
  });

  it("a read-only dashboard shows no action buttons and its API answers 403", async () => {
    const page = await open(`${readOnly.url}/`);
    await expect(page.locator("tr[data-job]").count()).resolves.toBe(JOB_NAMES.length);
    await expect(page.locator("button, form").count()).resolves.toBe(0);
    await page.goto(`${readOnly.url}/queues/outbox`);
    await expect(page.locator("tr[data-id]").count()).resolves.toBe(3);
    await expect(page.locator("button, form").count()).resolves.toBe(0);
    const statuses = await page.evaluate(async () => {
      const post = (path: string) => fetch(path, { method: "POST" }).then((res) => res.status);
      return [await post("/api/queues/outbox/requeue"), await post("/api/jobs/mail.digest/run")];
    });
    expect(statuses).toEqual([403, 403]);
    expect(await redis.client().hlen("octo:q:{outbox}:dead")).toBe(3);
    await page.screenshot({ path: join(screenshots, "read-only.png"), fullPage: true });
  });
});
