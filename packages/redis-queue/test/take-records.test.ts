import { fileURLToPath } from "node:url";
import { RedisQueue } from "@octo/redis-queue";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { expandLuaIncludes } from "../build/lua-includes";
import { queueKey, recordEntries, storedValue, takenIds, useRedis } from "./support";

const env = useRedis();
const clients: Redis[] = [];
afterAll(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

type Call = (...args: (string | number)[]) => Promise<unknown>;
type Scripts = { take: Call; ack: Call; extend: Call; release: Call };

/** A client with the worker scripts a take's record goes through, called as a worker calls them. */
function scriptClient(): Redis & Scripts {
  const client = new Redis({ port: env.server.port, db: env.server.db });
  clients.push(client);
  for (const [name, keys] of [
    ["take", 11],
    ["ack", 8],
    ["extend", 3],
    ["release", 6],
  ] as const) {
    const lua = expandLuaIncludes(fileURLToPath(new URL(`../src/${name}.lua`, import.meta.url)));
    client.defineCommand(name, { numberOfKeys: keys, lua });
  }
  return client as Redis & Scripts;
}

/** The worker scripts of queue `name`, with its keys filled in, for worker `w1`. */
function worker(name: string) {
  const client = scriptClient();
  const k = (part: string) => queueKey(name, part);
  const replies = k("worker:w1");
  let calls = 0;
  return {
    /** Takes up to `n` items under `token`; answers their ids. */
    async take(token: string, n: number, leaseMs = 30_000): Promise<string[]> {
      const entries = await this.takeEntries(token, n, leaseMs);
      return entries === undefined ? [] : takenIds(entries);
    },
    /** Takes up to `n` items under `token`; answers their entries as take.lua does, if any. */
    async takeEntries(token: string, n: number, leaseMs = 30_000): Promise<string | string[] | undefined> {
      const answer = (await client.take(
        ...["pending", "takes", "items", "delayed", "lease", "stalls", "dead"].map(k),
        replies,
        k("dedup"),
        k("keyof"),
        k("taken"),
        n,
        leaseMs,
        token,
        0,
        1,
        60_000,
        "take:0",
      )) as [string | string[]] | [];
      return answer[0];
    },
    /** Acks groups of [token, ids]; answers one character per id. */
    ack(...groups: [string, string[]][]): Promise<string> {
      const args = groups.flatMap(([token, ids]) => [token, ids.join(" ")]);
      return client.ack(
        ...["takes", "items", "lease", "stalls"].map(k),
        replies,
        k("dedup"),
        k("keyof"),
        k("taken"),
        `w1:ack:0:${++calls}`,
        60_000,
        ...args,
      ) as Promise<string>;
    },
    /** Renews the leases of `ids`, each under `token`; answers [deadline, code per id]. */
    extend(token: string, ids: string[], leaseMs: number): Promise<number[]> {
      return client.extend(
        k("takes"),
        k("lease"),
        k("items"),
        leaseMs,
        ...ids.flatMap((id) => [id, token, "0"]),
      ) as Promise<number[]>;
    },
    /** Gives `ids` back, each under `token`; answers how many went back. */
    release(token: string, ids: string[]): Promise<number> {
      return client.release(
        k("takes"),
        k("pending"),
        k("lease"),
        k("items"),
        replies,
        k("taken"),
        k("wake"),
        `w1:release:${++calls}`,
        "end:0",
        60_000,
        ...ids.flatMap((id) => [id, token]),
      ) as Promise<number>;
    },
  };
}

/**
 * What Redis keeps of live takes: their deadlines, records and the in-flight count; a record is
 * shown as its ids, separated by spaces.
 */
async function records(name: string) {
  const taken = await env.redis.hgetall(queueKey(name, "taken"));
  for (const [field, value] of Object.entries(taken)) {
    if (!field.endsWith("#"))
      taken[field] = recordEntries(value)
        .map(([id]) => id)
        .join(" ");
  }
  return { takes: await env.redis.zrange(queueKey(name, "takes"), "0", "-1"), taken };
}

describe("a take's record", () => {
  it("counts what the take still holds, and goes with its last item however the items leave", async () => {
    const queue = new RedisQueue<number>("records-count", env.redis);
    await queue.fill(Array.from({ length: 6 }, (_, i) => i));
    const w = worker("records-count");
    const a = await w.take("w1.1", 4);
    const b = await w.take("w1.2", 2);
    expect(await records("records-count")).toEqual({
      takes: ["w1.1", "w1.2"],
      taken: { "w1.1": a.join(" "), "w1.1#": "4", "w1.2": b.join(" "), "w1.2#": "2", "#": "6" },
    });
    // One ack over both takes: each take's count falls by its own items.
    expect(await w.ack(["w1.1", a.slice(0, 1)], ["w1.2", b.slice(0, 1)])).toBe("hh");
    expect((await queue.stats()).inFlight).toBe(4);
    expect((await records("records-count")).taken).toMatchObject({ "w1.1#": "3", "w1.2#": "1", "#": "4" });
    // A give-back ends take 2's hold: its record goes at once, take 1's stays.
    expect(await w.release("w1.2", b.slice(1))).toBe(1);
    expect(await records("records-count")).toEqual({
      takes: ["w1.1"],
      taken: { "w1.1": a.join(" "), "w1.1#": "3", "#": "3" },
    });
    // Acking an item twice, or under another take's token, changes no count.
    expect(await w.ack(["w1.1", a.slice(0, 1)], ["w1.2", a.slice(1, 2)])).toBe("ml");
    expect((await queue.stats()).inFlight).toBe(3);
    expect(await w.ack(["w1.1", a.slice(1)])).toBe("hhh");
    expect(await records("records-count")).toEqual({ takes: [], taken: {} });
    // The given-back item is pending again and the queue keeps nothing of the takes.
    expect(await queue.stats()).toMatchObject({ pending: 1, inFlight: 0 });
    expect(await env.redis.exists(queueKey("records-count", "lease"))).toBe(0);
  });

  it("an id named twice in one ack or give-back leaves its take's count falling by one", async () => {
    const queue = new RedisQueue<number>("records-twice", env.redis);
    await queue.fill([1, 2, 3]);
    const w = worker("records-twice");
    const [a, b, c] = (await w.take("w1.1", 3)) as [string, string, string];
    expect(await w.ack(["w1.1", [a, a]])).toBe("hh");
    expect(await w.release("w1.1", [b, b])).toBe(1);
    expect((await records("records-twice")).taken).toMatchObject({ "w1.1#": "1", "#": "1" });
    // The item still held is still in flight, and goes back when the take lapses.
    await env.redis.zadd(queueKey("records-twice", "takes"), "XX", 1, "w1.1");
    expect((await w.take("w1.2", 10)).sort()).toEqual([b, c].sort());
    expect(await queue.stats()).toMatchObject({ pending: 0, inFlight: 2 });
  });

  it("a take whose lease ran out gives back only the items it still holds, and its record goes", async () => {
    const queue = new RedisQueue<number>("records-lapse", env.redis);
    await queue.fill(Array.from({ length: 5 }, (_, i) => i));
    const w = worker("records-lapse");
    const ids = await w.take("w1.1", 5);
    const [acked, released, ...held] = ids as [string, string, ...string[]];
    expect(await w.ack(["w1.1", [acked]])).toBe("h");
    expect(await w.release("w1.1", [released])).toBe(1);
    // The released item is taken again by another take before the first one lapses.
    expect(await w.take("w1.2", 1)).toEqual([released]);
    await env.redis.zadd(queueKey("records-lapse", "takes"), "XX", 1, "w1.1");
    // The next take finds take 1 lapsed: its three held items go back to the head of pending and
    // are taken, the item take 2 holds is left alone, the acked one stays gone.
    const again = await w.take("w1.3", 10);
    expect([...again].sort()).toEqual([...held].sort());
    expect(await env.redis.hget(queueKey("records-lapse", "lease"), released)).toBe("w1.2");
    expect(await records("records-lapse")).toEqual({
      takes: ["w1.2", "w1.3"],
      taken: { "w1.2": released, "w1.2#": "1", "w1.3": again.join(" "), "w1.3#": "3", "#": "4" },
    });
    // Take 1's token holds nothing any more.
    expect(await w.ack(["w1.1", held])).toBe("lll");
    expect(await queue.stats()).toMatchObject({ pending: 0, inFlight: 4 });
  });

  it("one take call gives back lapsed takes until it has 1,000 items back; the next call goes on", async () => {
    const queue = new RedisQueue<number>("records-bound", env.redis, { batchSize: 1000 });
    await queue.fill(Array.from({ length: 2000 }, (_, i) => i));
    const w = worker("records-bound");
    expect(await w.take("w1.1", 1000)).toHaveLength(1000);
    expect(await w.take("w1.2", 1000)).toHaveLength(1000);
    await env.redis.zadd(queueKey("records-bound", "takes"), "XX", 1, "w1.1", 2, "w1.2");
    // The first lapsed take's 1,000 items are enough for one run: the second waits for the next.
    expect(await w.take("w1.3", 1)).toHaveLength(1);
    expect(await env.redis.zrange(queueKey("records-bound", "takes"), "0", "-1")).toEqual(["w1.2", "w1.3"]);
    expect(await queue.stats()).toMatchObject({ pending: 999, inFlight: 1001 });
    expect(await w.take("w1.4", 1)).toHaveLength(1);
    expect(await env.redis.zrange(queueKey("records-bound", "takes"), "0", "-1")).toEqual(["w1.3", "w1.4"]);
    expect(await queue.stats()).toMatchObject({ pending: 1998, inFlight: 2 });
  });

  it("a renewal moves the deadline of each take it names an item of, once for all its items", async () => {
    await new RedisQueue<number>("records-renew", env.redis).fill([1, 2, 3, 4]);
    const w = worker("records-renew");
    const first = await w.take("w1.1", 2, 1000);
    const second = await w.take("w1.2", 2, 1000);
    const before = Number(await env.redis.zscore(queueKey("records-renew", "takes"), "w1.2"));
    const [deadline, ...codes] = await w.extend("w1.1", first.slice(0, 1), 60_000);
    expect(codes).toEqual([1]);
    expect(Number(await env.redis.zscore(queueKey("records-renew", "takes"), "w1.1"))).toBe(deadline);
    expect(Number(await env.redis.zscore(queueKey("records-renew", "takes"), "w1.2"))).toBe(before);
    // Naming an item under a token that does not hold it renews nothing.
    expect((await w.extend("w1.1", second, 60_000)).slice(1)).toEqual([-1, -1]);
    expect(Number(await env.redis.zscore(queueKey("records-renew", "takes"), "w1.2"))).toBe(before);
  });

  it("an item taken straight from pending keeps its value through a give-back and a lapse", async () => {
    const queue = new RedisQueue<number>("records-values", env.redis);
    await queue.fill([10, 11, 12]);
    const w = worker("records-values");
    const entries = ((await w.takeEntries("w1.1", 3)) as string).split("\0");
    expect(entries.map((entry) => entry.split(" ")[1])).toEqual(["0|0|10", "0|0|11", "0|0|12"]);
    const [first, second, third] = takenIds(entries) as [string, string, string];
    // Filled items travel in pending and in their take's record, never in items.
    expect(await env.redis.exists(queueKey("records-values", "items"))).toBe(0);
    expect(await storedValue(env.redis, "records-values", second)).toBe("0|0|11");
    // Given back, an item waits in pending as an id, its value in items.
    expect(await w.release("w1.1", [first])).toBe(1);
    expect(await env.redis.lrange(queueKey("records-values", "pending"), 0, -1)).toEqual([first]);
    expect(await env.redis.hget(queueKey("records-values", "items"), first)).toBe("0|0|10");
    // A lapse does the same for what the take still held; the next take answers every value.
    await env.redis.zadd(queueKey("records-values", "takes"), "XX", 1, "w1.1");
    const again = ((await w.takeEntries("w1.2", 10)) as string).split("\0").sort();
    expect(again).toEqual([`${first} 0|0|10`, `${second} 0|0|11`, `${third} 0|0|12`].sort());
    expect(await w.ack(["w1.2", [first, second, third]])).toBe("hhh");
    // Nothing of the items is left: only the id counter and the worker's replies.
    expect((await env.redis.keys("*")).sort()).toEqual([
      queueKey("records-values", "seq"),
      queueKey("records-values", "worker:w1"),
    ]);
  });

  it("keeps an entry whose value holds a NUL byte whole: answered one element per item, recorded as JSON", async () => {
    const pending = queueKey("records-nul", "pending");
    await env.redis.rpush(pending, "1 0|0|a\u0000b", "2 0|0|c");
    const w = worker("records-nul");
    expect(await w.takeEntries("w1.1", 2)).toEqual(["1 0|0|a\u0000b", "2 0|0|c"]);
    expect(await env.redis.hget(queueKey("records-nul", "taken"), "w1.1")).toMatch(/^\[/);
    await env.redis.zadd(queueKey("records-nul", "takes"), "XX", 1, "w1.1");
    expect(((await w.takeEntries("w1.2", 2)) as string[]).sort()).toEqual(["1 0|0|a\u0000b", "2 0|0|c"]);
    expect(await env.redis.hget(queueKey("records-nul", "items"), "1")).toBe("0|0|a\u0000b");
    expect(await w.ack(["w1.2", ["1", "2"]])).toBe("hh");
  });
});
