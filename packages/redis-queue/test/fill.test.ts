import {
  FillInterruptedError,
  InvalidArgumentError,
  RedisQueue,
  UnencodableItemError,
} from "@octo/redis-queue";
import { recordingLogger, startNodeProcess, waitUntil } from "@octo/testing";
import { describe, expect, it } from "vitest";
import { pendingValues, runsScriptFile, useProxy, useRedis } from "./support";

const env = useRedis();
const SCRIPTS = ["fill-begin", "fill-append", "fill-renew", "fill-end", "requeue"] as const;
const lossy = useProxy(env);
/** A client whose connection goes through the proxy; ioredis re-sends what lost its reply. */
const { throughProxy } = lossy;

/** Loses the reply of the next call of script `name` on `key`; resolves once that happened. */
function loseReply(name: (typeof SCRIPTS)[number], key: string): () => Promise<void> {
  const cut = lossy.proxy.loseNextReply(runsScriptFile(name, key));
  return async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${name} call on ${key} lost its reply`)), 10_000);
    });
    await Promise.race([cut, late]).finally(() => clearTimeout(timer));
  };
}
/** The marker's life without renewal (FILL_MARKER_TTL_MS in src/fill.ts). */
const MARKER_TTL_MS = 10_000;

/** The payloads in pending order, as stored. */
async function stored(name: string): Promise<string[]> {
  return (await pendingValues(env.redis, name)).map((v) => String(v).replace(/^0\|0\|/, ""));
}

describe("fill under a lost reply", () => {
  it("writes a batch once when its reply is lost and ioredis sends it again", async () => {
    const queue = new RedisQueue<number>("resend-append", throughProxy(), { batchSize: 2 });
    const cut = loseReply("fill-append", "octo:q:{resend-append}:seq");
    expect(await queue.fill([1, 2, 3, 4, 5])).toBe(true);
    await cut();
    expect(await stored("resend-append")).toEqual(["1", "2", "3", "4", "5"]);
    // Filled items travel in pending with their ids: nothing was written to items.
    expect(await env.redis.exists("octo:q:{resend-append}:items")).toBe(0);
  });

  it("answers true when the opening claim's reply is lost: the re-sent claim finds its own marker", async () => {
    const queue = new RedisQueue<number>("resend-begin", throughProxy());
    const cut = loseReply("fill-begin", "octo:q:{resend-begin}:filling");
    expect(await queue.fill([1, 2, 3])).toBe(true);
    await cut();
    expect(await stored("resend-begin")).toEqual(["1", "2", "3"]);
    expect(await env.redis.exists("octo:q:{resend-begin}:filling")).toBe(0);
  });

  it("ends quietly when the closing call's reply is lost: the re-sent call answers the same", async () => {
    const logger = recordingLogger();
    const queue = new RedisQueue<number>("resend-end", throughProxy(), { logger });
    const cut = loseReply("fill-end", "octo:q:{resend-end}:filling");
    expect(await queue.fill([1, 2])).toBe(true);
    await cut();
    expect(await env.redis.exists("octo:q:{resend-end}:filling")).toBe(0);
    expect(logger.messages("warn")).toEqual([]);
  });

  it("requeue re-sent after a lost reply reports the dead letters it moved the first time", async () => {
    const queue = new RedisQueue<number>("resend-requeue", throughProxy(), { retries: 0 });
    await queue.fill([1, 2]);
    await queue.work(
      async () => {
        throw new Error("broken");
      },
      { drainGraceMs: 50 },
    );
    expect((await queue.stats()).dead).toBe(2);
    const cut = loseReply("requeue", "octo:q:{resend-requeue}:dead");
    expect(await queue.requeue()).toBe(2);
    await cut();
    expect(await queue.stats()).toMatchObject({ pending: 2, inFlight: 0, delayed: 0, dead: 0 });
    expect(await queue.requeue()).toBe(0);
  });
});

describe("fill from a slow source", () => {
  it("keeps its marker alive while the generator waits longer than the marker lives", async () => {
    const queue = new RedisQueue<number>("slow", env.server.client(), { leaseTime: "2s" });
    const worker = new RedisQueue<number>("slow", env.server.client(), { leaseTime: "2s" });
    async function* slow(): AsyncGenerator<number[]> {
      yield [1, 2];
      // Longer than the marker lives: only the filler's own timer keeps it.
      await new Promise((resolve) => setTimeout(resolve, MARKER_TTL_MS + 2_000));
      yield [3, 4];
    }
    const handled: number[] = [];
    const working = worker.work(async (n) => void handled.push(n), { drainGraceMs: 200 });
    expect(await queue.fill(slow())).toBe(true);
    const result = await working;
    expect(handled.sort()).toEqual([1, 2, 3, 4]);
    expect(result.processed).toBe(4);
  }, 40_000);

  it("leaves no marker behind for long when its filler is SIGKILLed mid-fill", async () => {
    const filler = startNodeProcess(new URL("./fixtures/filler.ts", import.meta.url).pathname, {
      env: { REDIS_URL: env.server.url, QUEUE: "killed" },
    });
    await filler.waitFor(/^written$/);
    const marker = "octo:q:{killed}:filling";
    expect(await env.redis.exists(marker)).toBe(1);
    await filler.kill("SIGKILL");
    const killedAt = Date.now();
    await waitUntil("the dead filler's marker to expire", async () => (await env.redis.exists(marker)) === 0);
    // It lapses one TTL after the last renewal; the bound only leaves room for a loaded machine.
    expect(Date.now() - killedAt).toBeLessThan(MARKER_TTL_MS + 5_000);
    // Workers stop waiting for the filler: what it wrote is handled and work() resolves.
    const queue = new RedisQueue<number>("killed", env.redis);
    expect((await queue.work(async () => {}, { drainGraceMs: 100 })).processed).toBe(3);
  }, 40_000);
});

describe("fill stopped by a bad batch", () => {
  it("refuses a batch that is not an array, keeps the earlier batches and removes its marker", async () => {
    const queue = new RedisQueue<number>("not-array", env.redis);
    async function* source(): AsyncGenerator<number[]> {
      yield [1, 2];
      yield "3" as never;
      yield [4];
    }
    const error = await queue.fill(source()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe("ERR_OCTO_INVALID_ARGUMENT");
    expect((error as Error).message).toMatch(/batch 2, not an array.*2 items of earlier batches stay queued/);
    expect(await stored("not-array")).toEqual(["1", "2"]);
    expect(await env.redis.exists("octo:q:{not-array}:filling")).toBe(0);
  });

  it("refuses a batch with an unencodable item: nothing of it is written, earlier batches stay", async () => {
    const queue = new RedisQueue<{ a: number }>("bad-batch", env.redis);
    async function* source(): AsyncGenerator<{ a: number }[]> {
      yield [{ a: 1 }];
      yield [{ a: 2 }, { a: Number.NaN }];
    }
    const error = await queue.fill(source()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnencodableItemError);
    expect((error as UnencodableItemError).index).toBe(2);
    expect((error as Error).message).toMatch(
      /^item 2 at \.a: NaN cannot be encoded as JSON.*1 items of earlier/,
    );
    expect(await stored("bad-batch")).toEqual(['{"a":1}']);
    expect(await env.redis.exists("octo:q:{bad-batch}:filling")).toBe(0);
  });

  it("passes on what the generator throws, keeps the earlier batches and removes its marker", async () => {
    const queue = new RedisQueue<number>("throws", env.redis);
    const thrown = { reason: "database gone" };
    async function* source(): AsyncGenerator<number[]> {
      yield [1];
      throw thrown;
    }
    await expect(queue.fill(source())).rejects.toBe(thrown);
    expect(await stored("throws")).toEqual(["1"]);
    expect(await env.redis.exists("octo:q:{throws}:filling")).toBe(0);
  });

  it("reports a fill whose marker was taken away, with the items it wrote", async () => {
    const queue = new RedisQueue<number>("lost", env.redis);
    async function* source(): AsyncGenerator<number[]> {
      yield [1];
      await env.redis.del("octo:q:{lost}:filling");
      yield [2];
    }
    const error = await queue.fill(source()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FillInterruptedError);
    expect((error as FillInterruptedError).written).toBe(1);
    expect(await stored("lost")).toEqual(["1"]);
  });
});
