import { defineScripts } from "@octo/internal";
import { RedisQueue } from "@octo/redis-queue";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { useRedis } from "./support";

const env = useRedis();
const clients: Redis[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

const NAMES = [
  "octoQueueTake",
  "octoQueueExtend",
  "octoQueueAck",
  "octoQueueFail",
  "octoQueueDeadLetter",
  "octoQueueRelease",
  "octoQueueFillBegin",
  "octoQueueFillAppend",
  "octoQueueFillRenew",
  "octoQueueFillEnd",
  "octoQueueAdd",
  "octoQueueRequeueIds",
  "octoQueueRemoveDead",
  "octoQueueStats",
];
const OTHER = "return redis.error_reply('ERR the other copy of the package ran')";

describe("two copies of the package sharing one client", () => {
  it("each runs its own scripts: another copy's, defined first under the same names, are never called", async () => {
    const client = new Redis({ port: env.server.port, db: env.server.db });
    clients.push(client);
    // Another copy, of another version, in the same process: its scripts under the names ours
    // have, both as a release with fixed command names defines them and through the helper.
    for (const name of NAMES) client.defineCommand(name, { numberOfKeys: 0, lua: OTHER });
    defineScripts(client, Object.fromEntries(NAMES.map((name) => [name, { numberOfKeys: 0, lua: OTHER }])));
    const queue = new RedisQueue<number>("two-copies", client, { retries: 0 });
    expect(await queue.fill([1, 2])).toBe(true);
    expect(await queue.add([3, 4])).toEqual({ added: 2, skipped: 0 });
    const seen: number[] = [];
    const result = await queue.work(
      async (n) => {
        seen.push(n);
        if (n === 4) throw new Error("four fails");
      },
      { drainGraceMs: 0 },
    );
    expect(result).toEqual({ processed: 3, failed: 1, deadLettered: 1 });
    expect(seen.sort()).toEqual([1, 2, 3, 4]);
    expect(await queue.requeue()).toBe(1);
    expect((await queue.stats()).pending).toBe(1);
  });
});
