import "reflect-metadata";
import { cron, type JobContext, job, query } from "@octo/runner";
import { sleep, waitUntil } from "@octo/testing";
import { expect, it } from "vitest";
import { useRunners } from "./support";

const TOTAL = 200;
const handledBy = new Map<string, number>();

@cron("join")
class JoinJobs {
  @query("items")
  async items() {
    return Array.from({ length: TOTAL }, (_, i) => i);
  }

  // Never due during the test: only run() fills the queue, so no instance gets a tick.
  @job("items", "0 0 1 1 *", { parallelism: 2 })
  async handle(_item: number, ctx: JobContext) {
    handledBy.set(ctx.instanceId, (handledBy.get(ctx.instanceId) ?? 0) + 1);
    await sleep(5);
  }
}
void JoinJobs;

const env = useRunners();

it("an instance that had no tick joins a fill started elsewhere, and stop() closes its listener", async () => {
  const filler = await env.start("filler");
  const joiner = await env.start("joiner");
  const client = env.redis.client();
  const channel = "octo:q:{join.items}:wake";
  const listeners = async () => Number(((await client.pubsub("NUMSUB", channel)) as [string, number])[1]);
  expect(await listeners()).toBe(2);

  const result = await filler.run("join.items");
  expect(result.outcome).toBe("succeeded");
  await waitUntil(
    "the queue to be drained",
    async () =>
      (await client.llen("octo:q:{join.items}:pending")) +
        (await client.zcard("octo:q:{join.items}:takes")) ===
      0,
    20_000,
  );
  const filled = handledBy.get("filler") ?? 0;
  const joined = handledBy.get("joiner") ?? 0;
  expect(filled + joined).toBe(TOTAL);
  // 200 items of 5 ms at parallelism 2 keep the filler busy for about half a second: the joiner,
  // told of the fill, takes a real share.
  expect(joined).toBeGreaterThan(TOTAL / 10);

  await joiner.stop();
  expect(await listeners()).toBe(1);
});
