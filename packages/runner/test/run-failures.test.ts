import "reflect-metadata";
import { cron, type JobContext, JobRunner, job } from "@octo/runner";
import { recordingLogger, startRedis, type TestRedis } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, expect, it } from "vitest";

let buildFails = false;
let thrown: unknown;

@cron("failing")
class FailingJobs {
  constructor() {
    if (buildFails) throw new Error("no binding for PaymentGateway");
  }

  @job("throws", "0 0 1 1 *")
  async throws() {
    throw thrown;
  }

  @job("drops-lease", "0 0 1 1 *")
  async dropsLease(ctx: JobContext) {
    // Someone else (an operator, a flush) removed the lease while the run held it.
    await redis.client().del(`octo:lock:{job:${ctx.job}}`);
  }
}
void FailingJobs;

// Twelve jobs that run at once: one more than the default EventEmitter listener limit.
class Concurrent {}
for (let i = 0; i < 12; i++) {
  const key = `slow${i}`;
  const method = async () => new Promise((r) => setTimeout(r, 300));
  Object.defineProperty(Concurrent.prototype, key, { value: method, configurable: true, writable: true });
  job(`slow-${i}`, "0 0 1 1 *")(
    Concurrent.prototype,
    key,
    Object.getOwnPropertyDescriptor(Concurrent.prototype, key) as PropertyDescriptor,
  );
}
cron("concurrent")(Concurrent);

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

async function started(logger = recordingLogger()): Promise<JobRunner> {
  const runner = new JobRunner(new Container());
  await runner.start(redis.client(), logger);
  return runner;
}

/**
 * Runs `fn` and answers the timers started meanwhile by our packages' code (or node-cron's) that
 * have neither fired nor been cleared soon after its end: the stack of each. Counting the process's active
 * timers instead would also count the test worker's own, which come and go.
 */
async function timersLeftBy(fn: () => Promise<void>): Promise<string[]> {
  const live = new Map<unknown, string>();
  const saved = { setTimeout, setInterval, clearTimeout, clearInterval, limit: Error.stackTraceLimit };
  const ours = (stack: string) => /packages\/[a-z-]+\/(src|dist)\/|node-cron/.test(stack);
  const track = (start: typeof setTimeout | typeof setInterval, once: boolean) =>
    ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const stack = new Error("timer started").stack ?? "";
      const handle = start(
        (...a: unknown[]) => {
          if (once) live.delete(handle);
          callback(...a);
        },
        ms,
        ...args,
      );
      if (ours(stack)) live.set(handle, stack);
      return handle;
    }) as never;
  const untrack = (clear: typeof clearTimeout) =>
    ((handle: Parameters<typeof clearTimeout>[0]) => {
      live.delete(handle);
      clear(handle);
    }) as never;
  Error.stackTraceLimit = 50;
  globalThis.setTimeout = track(saved.setTimeout, true);
  globalThis.setInterval = track(saved.setInterval, false);
  globalThis.clearTimeout = untrack(saved.clearTimeout);
  globalThis.clearInterval = untrack(saved.clearInterval);
  try {
    await fn();
    // A closing connection's timer (ioredis' disconnect timeout) ends when its socket closes,
    // just after: give such timers a moment. A timer left behind lives far longer than this.
    const deadline = Date.now() + 3000;
    while (live.size > 0 && Date.now() < deadline) await new Promise((r) => saved.setTimeout(r, 20));
  } finally {
    Object.assign(globalThis, {
      setTimeout: saved.setTimeout,
      setInterval: saved.setInterval,
      clearTimeout: saved.clearTimeout,
      clearInterval: saved.clearInterval,
    });
    Error.stackTraceLimit = saved.limit;
  }
  return [...live.values()];
}

it("a job whose class cannot be built: run() resolves failed naming the class, the lease is freed, the run is recorded, no timer is left", async () => {
  buildFails = true;
  const left = await timersLeftBy(async () => {
    const runner = await started();
    try {
      const result = await runner.run("failing.throws");
      expect(result.outcome).toBe("failed");
      expect(result.error).toMatch(/FailingJobs.*no binding for PaymentGateway/);
      expect(await redis.client().exists("octo:lock:{job:failing.throws}")).toBe(0);
      const status = (await runner.status()).find((s) => s.job === "failing.throws");
      expect(status?.lastRun?.outcome).toBe("failed");
      expect(status?.lastRun?.error).toMatch(/no binding for PaymentGateway/);
    } finally {
      buildFails = false;
      await runner.stop();
    }
  });
  expect(left).toEqual([]);
});

it.each([
  [
    "a null-prototype object",
    Object.assign(Object.create(null), { reason: "quota exceeded" }),
    '{"reason":"quota exceeded"}',
  ],
  ["a plain object", { code: 42 }, '{"code":42}'],
  ["a string", "boom", "boom"],
  ["undefined", undefined, "undefined"],
  ["an object with a message", { message: "upstream said no" }, "upstream said no"],
])(
  "a job that throws %s: run() resolves failed with a readable error, recorded, and the lease is freed",
  async (_, value, text) => {
    thrown = value;
    const runner = await started();
    try {
      const result = await runner.run("failing.throws");
      expect(result).toMatchObject({ outcome: "failed", error: text });
      const status = (await runner.status()).find((s) => s.job === "failing.throws");
      expect(status?.lastRun).toMatchObject({ outcome: "failed", error: text });
      expect(await redis.client().exists("octo:lock:{job:failing.throws}")).toBe(0);
    } finally {
      await runner.stop();
    }
  },
);

it("a lease that could not be released (it was gone) is logged, not swallowed", async () => {
  const logger = recordingLogger();
  const runner = await started(logger);
  try {
    expect((await runner.run("failing.drops-lease")).outcome).toBe("succeeded");
  } finally {
    await runner.stop();
  }
  expect(logger.messages("warn").some((m) => m.includes("lease had expired before its release"))).toBe(true);
});

it("more than ten runs at once print no MaxListenersExceededWarning", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on("warning", onWarning);
  const runner = await started();
  try {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => runner.run(`concurrent.slow-${i}`)),
    );
    expect(results.map((r) => r.outcome)).toEqual(Array(12).fill("succeeded"));
  } finally {
    await runner.stop();
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    process.off("warning", onWarning);
  }
  expect(warnings).not.toContain("MaxListenersExceededWarning");
});
