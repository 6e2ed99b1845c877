import { InvalidArgumentError, RedisQueue } from "@octo/redis-queue";
import { type NodeProcess, startNodeProcess } from "@octo/testing";
import { describe, expect, it } from "vitest";
import { useRedis } from "./support";

const env = useRedis();
const fixture = new URL("./fixtures/queue-worker.ts", import.meta.url).pathname;

describe("stalls", () => {
  it("an item that kills its worker each time reaches the dead letter after maxStalls; every other item is handled", async () => {
    const items = Array.from({ length: 30 }, (_, i) => String(i));
    items.splice(10, 0, "poison");
    await new RedisQueue<string>("poison", env.redis).fill(items);
    const vars = {
      REDIS_URL: env.server.url,
      QUEUE: "poison",
      LEASE: "2000",
      KILL_ON: "poison",
      GRACE: "500",
    };
    const workers = new Set<NodeProcess>();
    const outputs: string[] = [];
    let deaths = 0;
    const start = () => {
      const worker = startNodeProcess(fixture, { env: vars });
      workers.add(worker);
      void worker.exited.then((how) => {
        workers.delete(worker);
        outputs.push(worker.output());
        // Restarted as it dies, as a process manager would; a bounded number of times.
        if (how === "SIGKILL" && ++deaths < 8) start();
      });
    };
    for (let i = 0; i < 3; i++) start();
    while (workers.size > 0) await Promise.race([...workers].map((worker) => worker.exited));

    const dead = (await new RedisQueue<string>("poison", env.redis).deadLetters()).items;
    expect(dead).toHaveLength(1);
    expect(dead[0]?.item).toBe("poison");
    expect(dead[0]?.error).toMatch(/stalled its workers 2 times/);
    // maxStalls 1: run once more after its first counted stall, dead-lettered at the second.
    expect(deaths).toBeGreaterThanOrEqual(2);
    expect(deaths).toBeLessThan(8);
    // Told once each, by the processes that saw them: the stall by the next taker, the dead letter
    // by the take that moved it.
    const events = outputs.join("\n").match(/^event .*$/gm) ?? [];
    const id = dead[0]?.id;
    expect(events.sort()).toEqual([`event item:dead-lettered ${id} stalled 1`, `event item:stalled ${id} 1`]);
    const done = new Set([...outputs.join("\n").matchAll(/^done (\d+)$/gm)].map((m) => m[1]));
    expect([...done].sort()).toEqual(items.filter((item) => item !== "poison").sort());
    expect(await new RedisQueue("poison", env.redis).stats()).toEqual({
      pending: 0,
      inFlight: 0,
      delayed: 0,
      dead: 1,
      oldestPendingAgeMs: null,
    });
  });

  it("maxStalls must be an integer of 0 or more", () => {
    expect(() => new RedisQueue("q", env.redis, { maxStalls: -1 })).toThrow(InvalidArgumentError);
    expect(() => new RedisQueue("q", env.redis, { maxStalls: 1.5 })).toThrow(/maxStalls/);
    expect(() => new RedisQueue("q", env.redis, { maxStalls: "2" as never })).toThrow(/maxStalls/);
    expect(new RedisQueue("q", env.redis, { maxStalls: 0 }).maxStalls).toBe(0);
    expect(new RedisQueue("q", env.redis).maxStalls).toBe(1);
  });
});
