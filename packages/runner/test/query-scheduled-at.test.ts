import "reflect-metadata";
import { cron, type JobContext, job, query } from "@octo/runner";
import { sleep, waitUntil } from "@octo/testing";
import { expect, it } from "vitest";
import { useRunners } from "./support";

const EVERY_MS = 2000;
/** Items per fill, in order; a query called after these returns nothing. */
const plan = [300, 60];
/** When each filling call of the query started (its fire is the last T at or before it). */
const queryCalls: number[] = [];
/** When both runners had started: only a fire after it is seen by both. */
let readyAt = Number.POSITIVE_INFINITY;
const seen: { fill: number; instance: string; scheduledAt: number }[] = [];

@cron("fillat")
class FillJobs {
  @query("items")
  async items() {
    const now = Date.now();
    if (Math.floor(now / EVERY_MS) * EVERY_MS <= readyAt) return [];
    queryCalls.push(now);
    const fill = queryCalls.length;
    return Array.from({ length: plan[fill - 1] ?? 0 }, (_, i) => ({ fill, i }));
  }

  @job("items", "*/2 * * * * *", { parallelism: 4 })
  async handle(item: { fill: number; i: number }, ctx: JobContext) {
    seen.push({ fill: item.fill, instance: ctx.instanceId, scheduledAt: ctx.scheduledAt.getTime() });
    await sleep(5);
  }
}
void FillJobs;

const env = useRunners();

it("every item handler sees the scheduled time T of the fire whose query filled the queue, on both instances", async () => {
  for (const instanceId of ["r1", "r2"]) await env.start(instanceId);
  readyAt = Date.now();
  const total = plan.reduce((a, b) => a + b, 0);
  await waitUntil(`all ${total} items to be handled`, () => seen.length >= total, 30_000, {
    describe: () => seen.length,
  });
  expect(seen).toHaveLength(total);

  const client = env.redis.client();
  for (const [index, calledAt] of queryCalls.slice(0, plan.length).entries()) {
    const fill = index + 1;
    const T = Math.floor(calledAt / EVERY_MS) * EVERY_MS;
    // T is a fire of this job that an instance claimed.
    expect(await client.exists(`octo:tick:{fillat.items}:${T}`)).toBe(1);
    const items = seen.filter((s) => s.fill === fill);
    expect(items).toHaveLength(plan[index] as number);
    expect(new Set(items.map((s) => s.scheduledAt))).toEqual(new Set([T]));
  }
  // Both instances handled items of the first fill, and both saw its T.
  const first = seen.filter((s) => s.fill === 1);
  expect(new Set(first.map((s) => s.instance))).toEqual(new Set(["r1", "r2"]));
  expect(await client.get("octo:fill:{fillat.items}")).not.toBeNull();
});
