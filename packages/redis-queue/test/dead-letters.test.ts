import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError, jsonCodec, RedisQueue } from "@octo/redis-queue";
import { type NodeProcess, startNodeProcess, startTcpProxy, waitUntil } from "@octo/testing";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { expandLuaIncludes } from "../build/lua-includes";
import { useRedis } from "./support";

const env = useRedis();
const workerFixture = new URL("./fixtures/standalone-worker.ts", import.meta.url).pathname;

interface Invoice {
  n: number;
  due: Date;
  lines: { at: Date }[];
}

/** Writes dead letters in the documented format, as fail.lua does, `batch` per HSET. */
async function writeDead(name: string, count: number, payload: (i: number) => string): Promise<void> {
  for (let from = 0; from < count; from += 1000) {
    const fields: string[] = [];
    for (let i = from; i < Math.min(count, from + 1000); i++) {
      fields.push(
        `${i + 1}`,
        JSON.stringify({
          payload: payload(i),
          attempts: 1,
          error: `error ${i}`,
          firstFailedAt: 1,
          lastFailedAt: 2,
        }),
      );
    }
    await env.redis.hset(`octo:q:{${name}}:dead`, ...fields);
  }
}

describe("deadLetters({ limit, cursor })", () => {
  it("reads 10,000 dead letters back page by page as items with their Dates", async () => {
    const queue = new RedisQueue<Invoice>("pages", env.redis, { retries: 0, batchSize: 500 });
    const due = new Date("2026-01-31T12:00:00.000Z");
    const invoices = Array.from({ length: 10_000 }, (_, n) => ({ n, due, lines: [{ at: new Date(n) }] }));
    await queue.add(invoices);
    const result = await queue.work(
      async (invoice) => {
        throw new Error(`invoice ${invoice.n} failed`);
      },
      { parallelism: 50, drainGraceMs: 50 },
    );
    expect(result.deadLettered).toBe(10_000);

    const seen = new Map<number, Invoice>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await queue.deadLetters({ limit: 700, cursor });
      expect(page.items.length).toBeLessThanOrEqual(700);
      for (const letter of page.items) {
        expect(letter.undecodable).toBeUndefined();
        expect(letter).not.toHaveProperty("payload");
        const invoice = letter.item as Invoice;
        expect(letter.error).toContain(`invoice ${invoice.n} failed`);
        expect(letter.attempts).toBe(1);
        expect(letter.firstFailedAt).toBeInstanceOf(Date);
        expect(letter.lastFailedAt.getTime()).toBeGreaterThanOrEqual(letter.firstFailedAt.getTime());
        seen.set(invoice.n, invoice);
      }
      cursor = page.cursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(10_000 / 700));
    expect(seen.size).toBe(10_000);
    for (const [n, invoice] of seen) expect(invoice).toEqual(invoices[n]);
    expect(seen.get(3)?.due).toBeInstanceOf(Date);
  });

  it("pages a small dead letter exactly: limit entries per page, each once", async () => {
    const queue = new RedisQueue<number>("small", env.redis);
    await writeDead("small", 25, (i) => String(i));
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await queue.deadLetters({ limit: 10, cursor });
      expect(page.items.length).toBe(ids.length < 20 ? 10 : 5);
      ids.push(...page.items.map((letter) => letter.id));
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
    expect(new Set(ids).size).toBe(25);
  });

  it("gives the raw text and the reason for an entry that cannot be decoded", async () => {
    const queue = new RedisQueue<number>("undecodable", env.redis);
    await writeDead("undecodable", 1, () => "{not json");
    const [letter] = (await queue.deadLetters()).items;
    expect(letter?.item).toBeUndefined();
    expect(letter?.undecodable?.raw).toBe("{not json");
    expect(letter?.undecodable?.reason).toMatch(/JSON/);
  });

  it("keeps the deadLetters(limit) form: an array with the stored text", async () => {
    const queue = new RedisQueue<number>("legacy", env.redis);
    await writeDead("legacy", 1500, (i) => jsonCodec.encode(i));
    const letters = await queue.deadLetters(1200);
    expect(letters).toHaveLength(1200);
    expect(letters[0]?.payload).toBe(jsonCodec.encode(letters[0]?.item));
    expect(await queue.deadLetters(5)).toHaveLength(5);
  });

  it("refuses a bad limit or cursor naming the value", async () => {
    const queue = new RedisQueue<number>("bad-page", env.redis);
    await expect(queue.deadLetters({ limit: 0 })).rejects.toThrow(/options.limit 0/);
    await expect(queue.deadLetters({ limit: 1001 })).rejects.toThrow(/options.limit 1001/);
    await expect(queue.deadLetters({ cursor: "next" })).rejects.toThrow(/options.cursor "next"/);
    await expect(queue.deadLetters(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(queue.requeue("1" as never)).rejects.toThrow(/ids "1"/);
    await expect(queue.removeDeadLetters([""])).rejects.toThrow(/ids/);
  });
});

describe("dead letters at scale", () => {
  // SLOWLOG times are wall-clock and a loaded machine deschedules Redis mid-call, so the bound
  // is checked on what each call asks Redis to do: every command the client or a script sends
  // (MONITOR shows both) reads at most 1,000 entries; none reads the whole dead letter.
  it("reads and requeues 100,000 dead letters with no command over the whole dead letter (MONITOR)", async () => {
    const queue = new RedisQueue<number>("huge", env.redis);
    await writeDead("huge", 100_000, (i) => String(i));
    const monitor = await env.server.client().monitor();
    const commands: string[][] = [];
    monitor.on("monitor", (_time: string, args: string[]) => commands.push(args));
    try {
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const read = await queue.deadLetters({ limit: 1000, cursor });
        cursor = read.cursor ?? undefined;
      }
      expect(await queue.deadLetters(2000)).toHaveLength(2000);
      expect(await queue.requeue()).toBe(100_000);
      expect(await queue.stats()).toMatchObject({ pending: 100_000, dead: 0 });
      await waitUntil(
        "MONITOR caught up",
        () => commands.some((c) => c[0]?.toLowerCase() === "hlen"),
        10_000,
      );
    } finally {
      monitor.disconnect();
    }
    const whole = commands.filter(
      ([name, key]) =>
        /^(hgetall|hkeys|hvals)$/i.test(name ?? "") ||
        (/^(lrange|zrange)$/i.test(name ?? "") && key?.includes("dead")),
    );
    expect(whole).toEqual([]);
    const scans = commands.filter(([name]) => name?.toLowerCase() === "hscan");
    expect(scans.length).toBeGreaterThan(100);
    for (const scan of scans) expect(Number(scan[4])).toBeLessThanOrEqual(1000);
    const scripts = commands.filter(([name]) => /^eval(sha)?$/i.test(name ?? ""));
    for (const script of scripts) expect(script.length).toBeLessThanOrEqual(3 + 7 + 2 + 1000);
  });
});

describe("requeue(ids) and removeDeadLetters(ids)", () => {
  it("requeues by id while 2 worker processes run: nothing doubled, nothing dropped", async () => {
    const name = "requeue-live";
    const queue = new RedisQueue<number>(name, env.redis, { retries: 0 });
    const broken = Array.from({ length: 60 }, (_, i) => String(i * 5));
    await env.redis.sadd(`${name}:broken`, ...broken);
    const workers: NodeProcess[] = Array.from({ length: 2 }, () =>
      startNodeProcess(workerFixture, { env: { REDIS_URL: env.server.url, QUEUE: name } }),
    );
    const outputs = () => workers.map((w) => w.output());
    const count = (word: string) =>
      outputs().flatMap((o) =>
        [...o.matchAll(new RegExp(`^${word} (\\d+)$`, "gm"))].map((m) => Number(m[1])),
      );
    try {
      await Promise.all(workers.map((w) => w.waitFor(/^ready$/m, 30_000)));
      await queue.add(Array.from({ length: 300 }, (_, i) => i));
      await waitUntil("60 dead letters", async () => (await queue.stats()).dead === 60, 30_000);
      await env.redis.del(`${name}:broken`);
      const letters = (await queue.deadLetters({ limit: 1000 })).items;
      const ids = letters.map((letter) => letter.id);
      // Requeue in two halves while the workers are busy with 300 more items.
      const more = queue.add(Array.from({ length: 300 }, (_, i) => 300 + i));
      expect(await queue.requeue(ids.slice(0, 30))).toBe(30);
      await more;
      expect(await queue.requeue([...ids.slice(30), "no-such-id"])).toBe(30);
      expect(await queue.requeue(ids)).toBe(0);
      await waitUntil("600 items done", () => count("done").length >= 600, 60_000);
      await waitUntil(
        "the queue empty",
        async () => {
          const s = await queue.stats();
          return s.pending + s.inFlight + s.dead === 0;
        },
        10_000,
      );
      const done = count("done").sort((a, b) => a - b);
      expect(done).toEqual(Array.from({ length: 600 }, (_, i) => i));
      expect(count("failed").sort((a, b) => a - b)).toEqual(broken.map(Number).sort((a, b) => a - b));
    } finally {
      for (const w of workers) w.kill("SIGTERM");
      await Promise.all(workers.map((w) => w.exited));
    }
  });

  it("requeues with a fresh attempt count under a new id", async () => {
    const queue = new RedisQueue<string>("fresh", env.redis, { retries: 1, timeout: 10 });
    await queue.add("x");
    await queue.work(
      async () => {
        throw new Error("broken");
      },
      { drainGraceMs: 50 },
    );
    const [letter] = (await queue.deadLetters()).items;
    expect(letter?.attempts).toBe(2);
    expect(await queue.requeue([letter?.id as string])).toBe(1);
    const attempts: number[] = [];
    const ids: string[] = [];
    await queue.work(
      async (_item, context) => {
        attempts.push(context.attempt);
        ids.push(context.id);
      },
      { drainGraceMs: 50 },
    );
    expect(attempts).toEqual([1]);
    expect(ids[0]).not.toBe(letter?.id);
  });

  it("moves or removes an id named twice in one call once", async () => {
    const queue = new RedisQueue<number>("twice", env.redis);
    await writeDead("twice", 3, (i) => String(i));
    expect(await queue.requeue(["1", "1", "2"])).toBe(2);
    expect(await queue.removeDeadLetters(["3", "3"])).toBe(1);
    expect(await queue.stats()).toMatchObject({ pending: 2, dead: 0 });
  });

  it("removes dead letters by id and says how many there were", async () => {
    const queue = new RedisQueue<number>("remove", env.redis);
    await writeDead("remove", 5, (i) => String(i));
    expect(await queue.removeDeadLetters(["1", "2", "missing"])).toBe(2);
    expect(await queue.removeDeadLetters(["1"])).toBe(0);
    expect((await queue.deadLetters()).items.map((l) => l.id).sort()).toEqual(["3", "4", "5"]);
  });

  it("requeue and removeDeadLetters re-sent after a lost reply answer what the first run did", async () => {
    const proxy = await startTcpProxy(env.server.port);
    const client = new Redis({ port: proxy.port, db: env.server.db, maxRetriesPerRequest: null });
    client.on("error", () => {});
    try {
      const queue = new RedisQueue<number>("resend-dead", client);
      await writeDead("resend-dead", 4, (i) => String(i));
      // The scripts as Redis receives them: their includes expanded at build time.
      const matcher = (file: string) => {
        const source = expandLuaIncludes(fileURLToPath(new URL(`../src/${file}`, import.meta.url)));
        const sha = createHash("sha1").update(source).digest("hex");
        return (request: string) =>
          (request.includes(source) || request.includes(sha)) &&
          request.includes("octo:q:{resend-dead}:dead");
      };
      const requeueCut = proxy.loseNextReply(matcher("requeue.lua"));
      expect(await queue.requeue(["1", "2"])).toBe(2);
      await requeueCut;
      const removeCut = proxy.loseNextReply(matcher("remove-dead.lua"));
      expect(await queue.removeDeadLetters(["3"])).toBe(1);
      await removeCut;
      expect(await queue.stats()).toMatchObject({ pending: 2, dead: 1 });
    } finally {
      client.disconnect();
      await proxy.close();
    }
  });
});
