import "reflect-metadata";
import { cron, type JobContext, JobRunner, job, query, RedisQueue } from "@octo/runner";
import { startRedis, startTcpProxy, type TestRedis, waitUntil } from "@octo/testing";
import { Container } from "inversify";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";

const FIRST = ["first-1", "first-2", "first-3"];
const SECOND = ["second-1", "second-2", "second-3"];
const handled: { item: string; instance: string; scheduledAt: number }[] = [];

@cron("closing")
class ClosingJobs {
  @query("items")
  async items() {
    return FIRST;
  }

  // Never due during the test: only run() and the test's own fill put items in the queue.
  @job("items", "0 0 1 1 *")
  async handle(item: string, ctx: JobContext) {
    handled.push({ item, instance: ctx.instanceId, scheduledAt: ctx.scheduledAt.getTime() });
  }
}
void ClosingJobs;

const CHANNEL = "octo:q:{closing.items}:wake";
// ioredis writes a command alone on a subscriber connection, in lower case.
const QUIT = "*1\r\n$4\r\nquit\r\n";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

it("a fill that lands while this instance's worker on the queue is closing is worked by this instance", async () => {
  // Only this instance's connections go through the proxy; the filler talks to Redis directly.
  const proxy = await startTcpProxy(redis.port, redis.host);
  const client = new Redis(proxy.port, "127.0.0.1", { db: redis.db });
  const other = redis.client();
  const runner = new JobRunner(new Container(), { instanceId: "closing-instance" });
  const subscribers = async () => Number(((await other.pubsub("NUMSUB", CHANNEL)) as [string, number])[1]);
  try {
    await runner.start(client);
    // The only QUIT this instance sends before stop() is its worker's wake-up connection's, sent
    // once the worker has drained the queue and is ending. Redis never gets it, so the worker
    // stays in its close until it gives up on the QUIT (after 1 s) and disconnects.
    const workerClosing = proxy.stallRequestsFrom((request) => request === QUIT);
    const first = runner.run("closing.items");
    await workerClosing;
    expect(handled.map((h) => h.item).sort()).toEqual(FIRST);

    const T = Date.UTC(2026, 0, 2, 3, 4, 5);
    await other.set("octo:fill:{closing.items}", String(T));
    expect(await new RedisQueue<string>("closing.items", other).fill(SECOND)).toBe(true);
    // The fill landed while the worker was still closing: its wake-up connection, which the
    // worker's disconnect closes, is still subscribed beside the instance's fill listener.
    expect(await subscribers()).toBe(2);

    await waitUntil(
      "this instance to handle the items filled while its worker was closing",
      () => handled.length === FIRST.length + SECOND.length,
      10_000,
    );
    expect((await first).outcome).toBe("succeeded");
    const second = handled.filter((h) => SECOND.includes(h.item));
    expect(second.map((h) => h.item).sort()).toEqual(SECOND);
    expect(second.every((h) => h.instance === "closing-instance" && h.scheduledAt === T)).toBe(true);
    expect(handled).toHaveLength(FIRST.length + SECOND.length);
  } finally {
    await runner.stop();
    client.disconnect();
    await proxy.close();
  }
});
