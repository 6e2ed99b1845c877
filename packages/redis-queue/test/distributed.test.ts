import { RedisQueue } from "@octo/redis-queue";
import { startNodeProcess, startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

const fixture = new URL("./fixtures/worker.ts", import.meta.url).pathname;
let server: TestRedis;

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.stop();
});

function count(output: string, word: string): Map<number, number> {
  const seen = new Map<number, number>();
  for (const m of output.matchAll(new RegExp(`^${word} (\\d+)$`, "gm"))) {
    const n = Number(m[1]);
    seen.set(n, (seen.get(n) ?? 0) + 1);
  }
  return seen;
}

it("finishes every item when a worker is SIGKILLed mid-handler; only its in-flight items run twice", async () => {
  const redis = server.client();
  const queue = new RedisQueue<number>("crash", redis);
  const items = Array.from({ length: 40 }, (_, i) => i);
  await queue.fill(items);
  const env = { REDIS_URL: server.url, QUEUE: "crash" };
  // The victim's handlers take a second: between two items a worker that takes ahead only what
  // its pace needs makes a take round trip with nothing in hand, and a kill must not land there.
  const victim = startNodeProcess(fixture, { env: { ...env, HANDLER_MS: "1000" } });
  await victim.waitFor(/^done 3$/m, 20_000);
  const inHand = () => {
    const done = count(victim.output(), "done");
    return [...count(victim.output(), "start").keys()].some((n) => !done.has(n));
  };
  // Killed as soon as an item is seen started and not finished: it has most of a second to go.
  await waitUntil("an item in the victim's hands", inHand, 20_000, { intervalMs: 5 });
  victim.kill("SIGKILL");
  await victim.exited;
  const victimStarted = count(victim.output(), "start");
  const victimDone = count(victim.output(), "done");
  const interrupted = [...victimStarted.keys()].filter((n) => !victimDone.has(n));
  expect(interrupted.length).toBeGreaterThan(0);

  const rescuer = startNodeProcess(fixture, { env: { ...env, HANDLER_MS: "50" } });
  await rescuer.waitFor(/^drained$/m, 30_000);
  const rescuerDone = count(rescuer.output(), "done");
  const doneTwice = items.filter((n) => victimDone.has(n) && rescuerDone.has(n));
  expect(items.filter((n) => !victimDone.has(n) && !rescuerDone.has(n))).toEqual([]);
  // An ack leaves at most one round trip after its handler: only the victim's last finished
  // items (one per parallel slot) may not have reached Redis when it was killed.
  const lastDone = [...victim.output().matchAll(/^done (\d+)$/gm)].slice(-2).map((m) => Number(m[1]));
  for (const n of doneTwice) expect(lastDone).toContain(n);
  for (const n of interrupted) expect(rescuerDone.get(n)).toBe(1);
  expect(await queue.stats()).toEqual({
    pending: 0,
    inFlight: 0,
    delayed: 0,
    dead: 0,
    oldestPendingAgeMs: null,
  });
});

it("lets exactly one of two concurrent fills write", async () => {
  const a = new RedisQueue<number>("race", server.client());
  const b = new RedisQueue<number>("race", server.client());
  async function* slow(base: number) {
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 10));
      yield [base + i * 2, base + i * 2 + 1];
    }
  }
  const results = await Promise.all([a.fill(slow(0)), b.fill(slow(100))]);
  expect(results.sort()).toEqual([false, true]);
  expect(await a.length()).toBe(10);
});
