import "reflect-metadata";
import {
  acquireLock,
  cron,
  type JobContext,
  JobRunner,
  job,
  query,
  RedisQueue,
  releaseLock,
} from "@octo/runner";
import { recordingLogger, sleep, startRedis, startTcpProxy, type TestRedis, waitUntil } from "@octo/testing";
import { Container } from "inversify";
import { Redis } from "ioredis";
import { getTasks } from "node-cron";
import { afterAll, beforeAll, expect, it } from "vitest";

let fires = 0;
const waitsStarted: number[] = [];
const leftOverHandled: string[] = [];
let buildBroken = false;
const stream = { batches: 0, closed: false };
const signalQuery = { aborted: false };

@cron("life")
class LifeJobs {
  @job("every-second", "* * * * * *")
  async everySecond() {
    fires++;
  }

  @job("waits", "0 0 1 1 *")
  async waits() {
    waitsStarted.push(Date.now());
  }

  @query("stream")
  async *stream() {
    try {
      for (let i = 0; i < 100; i++) {
        stream.batches++;
        yield [i];
        await sleep(100);
      }
    } finally {
      stream.closed = true;
    }
  }

  @job("stream", "0 0 1 1 *")
  async handleStream(_item: number) {}

  @query("signal")
  async signalQuery(ctx: JobContext) {
    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    signalQuery.aborted = true;
    return [];
  }

  @job("signal", "0 0 1 1 *")
  async handleSignal(_item: number) {}

  @query("left-over")
  async leftOver() {
    return [];
  }

  @job("left-over", "0 0 1 1 *")
  async handleLeftOver(item: string) {
    leftOverHandled.push(item);
  }
}
void LifeJobs;

@cron("life-broken")
class BrokenJobs {
  constructor() {
    if (buildBroken) throw new Error("missing binding");
  }

  @query("items")
  async items() {
    return [];
  }

  @job("items", "0 0 1 1 *")
  async handle(_item: string) {}
}
void BrokenJobs;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

function liveTasks(): string[] {
  return [...getTasks().values()]
    .filter((t) => t.getStatus() !== "destroyed" && t.getStatus() !== "stopped")
    .map((t) => t.name ?? "");
}

it("stop() during start(): start() resolves, nothing is scheduled, no task, timer or connection is left", async () => {
  const port = Number(new URL(redis.url).port);
  const proxy = await startTcpProxy(port);
  const client = new Redis(proxy.port, "127.0.0.1");
  try {
    await client.ping();
    proxy.stall();
    const runner = new JobRunner(new Container());
    const starting = runner.start(client);
    await sleep(200);
    const stopping = runner.stop();
    proxy.unstall();
    await Promise.all([starting, stopping]);
    const firesThen = fires;
    await sleep(1500);
    expect(fires).toBe(firesThen);
    expect(liveTasks().filter((n) => n.startsWith("life"))).toEqual([]);
    // Only the client the test made: the runner opened no fill listener of its own.
    expect(proxy.accepted).toBe(1);
  } finally {
    client.disconnect();
    await proxy.close();
  }
});

it("a start() that fails leaves nothing running and the runner idle, so it can start again", async () => {
  const port = Number(new URL(redis.url).port);
  const proxy = await startTcpProxy(port);
  const client = new Redis(proxy.port, "127.0.0.1", { maxRetriesPerRequest: 0, lazyConnect: true });
  client.on("error", () => {});
  try {
    proxy.pause();
    const runner = new JobRunner(new Container());
    await expect(runner.start(client)).rejects.toThrow();
    expect(liveTasks().filter((n) => n.startsWith("life"))).toEqual([]);
    const firesThen = fires;
    await sleep(1500);
    expect(fires).toBe(firesThen);
    proxy.resume();
    await runner.start(client);
    await waitUntil("the started runner fires", () => fires > firesThen, 5000);
    await runner.stop();
  } finally {
    client.disconnect();
    await proxy.close();
  }
});

it("a run waiting for its job's lease when stop() is called never starts its handler", async () => {
  const client = redis.client();
  await acquireLock(client, "job:life.waits", "someone-else", "1m");
  const runner = new JobRunner(new Container(), { lockWaitMs: 10_000 });
  await runner.start(client);
  const running = runner.run("life.waits");
  await sleep(300);
  const stopping = runner.stop();
  await releaseLock(client, "job:life.waits", "someone-else");
  const result = await running;
  await stopping;
  expect(result.outcome).toBe("skipped");
  await sleep(300);
  expect(waitsStarted).toEqual([]);
});

it("start() with left-over items of a class this instance cannot build still starts, works the other queues, and logs the failure", async () => {
  const client = redis.client();
  await new RedisQueue<string>("life-broken.items", client).fill(["a", "b"]);
  await new RedisQueue<string>("life.left-over", client).fill(["x", "y", "z"]);
  buildBroken = true;
  const logger = recordingLogger();
  const runner = new JobRunner(new Container());
  try {
    await runner.start(client, logger);
    await waitUntil("the healthy left-over queue is worked", () => leftOverHandled.length === 3, 10_000);
    await waitUntil(
      "the unbuildable class is logged",
      () => logger.messages("error").includes("cannot work the job's queue on this instance"),
      10_000,
    );
  } finally {
    buildBroken = false;
    await runner.stop();
  }
  expect([...leftOverHandled].sort()).toEqual(["x", "y", "z"]);
  expect((await new RedisQueue("life-broken.items", client).stats()).pending).toBe(2);
});

it("a query gets the run's signal, and stop() aborts it", async () => {
  const runner = new JobRunner(new Container());
  await runner.start(redis.client());
  const running = runner.run("life.signal");
  await sleep(300);
  await runner.stop();
  expect(signalQuery.aborted).toBe(true);
  expect((await running).outcome).toBe("succeeded");
});

it("stop() ends a query generator between batches instead of waiting for all of it", async () => {
  const runner = new JobRunner(new Container());
  await runner.start(redis.client());
  const running = runner.run("life.stream");
  await waitUntil("a few batches", () => stream.batches >= 3, 10_000);
  await runner.stop();
  const result = await running;
  expect(stream.closed).toBe(true);
  expect(stream.batches).toBeLessThan(100);
  expect(result.outcome).toBe("failed");
  expect(result.error).toBe("runner stopped");
});
