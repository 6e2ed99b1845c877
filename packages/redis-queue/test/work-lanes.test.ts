import { fileURLToPath } from "node:url";
import { RedisQueue } from "@octo/redis-queue";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { expandLuaIncludes } from "../build/lua-includes";
import { runsScriptFile, takenIds, useProxy, useRedis } from "./support";

const env = useRedis();
const lossy = useProxy(env);
const clients: Redis[] = [];
afterAll(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

type Call = (...args: (string | number)[]) => Promise<unknown>;

/** A client with take.lua and ack.lua defined as `take` and `ack`, as a worker sends them. */
function scriptClient(): Redis & { take: Call; ack: Call } {
  const client = new Redis({ port: env.server.port, db: env.server.db });
  clients.push(client);
  for (const [name, keys] of [
    ["take", 11],
    ["ack", 8],
  ] as const) {
    const lua = expandLuaIncludes(fileURLToPath(new URL(`../src/${name}.lua`, import.meta.url)));
    client.defineCommand(name, { numberOfKeys: keys, lua });
  }
  return client as Redis & { take: Call; ack: Call };
}

const keysOf = (name: string) => {
  const base = `octo:q:{${name}}:`;
  return {
    take: [
      ...["pending", "takes", "items", "delayed", "lease", "stalls", "dead"].map((k) => base + k),
      `${base}worker:w1`,
      `${base}dedup`,
      `${base}keyof`,
      `${base}taken`,
    ],
    ack: [
      ...["takes", "items", "lease", "stalls"].map((k) => base + k),
      `${base}worker:w1`,
      `${base}dedup`,
      `${base}keyof`,
      `${base}taken`,
    ],
  };
};

describe("a worker's take and ack lanes", () => {
  it("a take re-sent on its lane after the other lane's take ran answers its own items and takes no more", async () => {
    await new RedisQueue<number>("lanes-take", env.redis).fill(Array.from({ length: 10 }, (_, i) => i));
    const client = scriptClient();
    const { take } = keysOf("lanes-take");
    const call = (token: string, lane: string) => client.take(...take, 3, 30_000, token, 0, 1, 60_000, lane);
    // A take answers its entries ("<id> <value>") as one string, separated by NUL bytes.
    const idsOf = async (answer: Promise<unknown>) => takenIds(((await answer) as [string])[0]);
    const first = await idsOf(call("w1.1", "take:0"));
    const second = await idsOf(call("w1.2", "take:1"));
    // ioredis re-sends the first take after a cut that came once the second had run.
    const again = await idsOf(call("w1.1", "take:0"));
    expect(again).toEqual(first);
    expect(second).toHaveLength(3);
    expect(new Set([...first, ...second]).size).toBe(6);
    expect(await env.redis.llen("octo:q:{lanes-take}:pending")).toBe(4);
    expect(await env.redis.hget("octo:q:{lanes-take}:taken", "#")).toBe("6");
  });

  it("an ack re-sent on its lane after the other lane's ack ran answers what it did the first time", async () => {
    await new RedisQueue<number>("lanes-ack", env.redis).fill(Array.from({ length: 4 }, (_, i) => i));
    const client = scriptClient();
    const { take, ack } = keysOf("lanes-ack");
    const [joined] = (await client.take(...take, 4, 30_000, "w1.1", 0, 1, 60_000, "take:0")) as [string];
    const [a, b, c, d] = takenIds(joined) as [string, string, string, string];
    // Per take: its token, then its ids as one string.
    const first = await client.ack(...ack, "w1:ack:0:1", 60_000, "w1.1", `${a} ${b}`);
    await client.ack(...ack, "w1:ack:1:2", 60_000, "w1.1", `${c} ${d}`);
    // Run again, the first ack would find its items gone ('mm') were its answer not kept apart.
    expect(await client.ack(...ack, "w1:ack:0:1", 60_000, "w1.1", `${a} ${b}`)).toEqual(first);
    // One character per item: 'h', its lease was held and the item removed.
    expect(first).toBe("hh");
    expect(await env.redis.hlen("octo:q:{lanes-ack}:items")).toBe(0);
  });

  it("answers a worker of the previous version, which names no lane: its take and ack keep one answer each", async () => {
    await new RedisQueue<number>("lanes-old", env.redis).fill([1, 2, 3]);
    const client = scriptClient();
    const { take, ack } = keysOf("lanes-old");
    const oldTake = () => client.take(...take, 2, 30_000, "w1.1", 0, 1, 60_000);
    const [joined] = (await oldTake()) as [string];
    expect(((await oldTake()) as [string])[0]).toBe(joined);
    const [a, b] = takenIds(joined) as [string, string];
    const oldAck = () => client.ack(...ack, "w1:ack:1", 60_000, "w1.1", `${a} ${b}`);
    expect(await oldAck()).toBe("hh");
    expect(await oldAck()).toBe("hh");
    expect(await env.redis.hkeys("octo:q:{lanes-old}:worker:w1")).toEqual(["take", "ack"]);
    expect(await env.redis.llen("octo:q:{lanes-old}:pending")).toBe(1);
  });

  it("a take whose reply is lost while the worker's second take lane is in use: every item is handled once, none stranded", async () => {
    const queue = new RedisQueue<number>("lanes-lost", lossy.throughProxy(), { leaseTime: 20_000 });
    await queue.fill(Array.from({ length: 400 }, (_, i) => i));
    const seen = new Map<number, number>();
    // The second lane goes out only while the first is in flight (the lowest free lane goes first).
    const cut = lossy.proxy.loseNextReply(
      (request) => runsScriptFile("take", "octo:q:{lanes-lost}:")(request) && request.includes("take:1"),
    );
    const result = await queue.work(
      async (item) => {
        seen.set(item, (seen.get(item) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
      // Items stranded under a lease nobody holds would keep work() from draining for 20 s.
      { parallelism: 8, drainGraceMs: 0, signal: AbortSignal.timeout(15_000) },
    );
    const noCut = new Promise<string>((resolve) => setTimeout(resolve, 5_000, "no take on the second lane"));
    expect(await Promise.race([cut, noCut])).toMatch(/take:1/);
    expect(result).toEqual({ processed: 400, failed: 0, deadLettered: 0 });
    expect([...seen.values()]).toEqual(Array(400).fill(1));
    expect((await queue.stats()).inFlight).toBe(0);
    expect(await env.redis.hlen("octo:q:{lanes-lost}:stalls")).toBe(0);
  });
});
