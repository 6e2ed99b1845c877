import "reflect-metadata";
import { cron, type JobContext, type JobRunner, job } from "@octo/runner";
import { waitUntil } from "@octo/testing";
import { expect, it } from "vitest";
import { useRunners } from "./support";

const MIN_CLAIM_TTL_MS = 3000;
const ranAt = new Map<string, number[]>();

@cron("claim")
class ClaimJobs {
  // maxComputeTime under minClaimTtl: the claim lives minClaimTtl.
  @job("short", "* * * * * *", { maxComputeTime: "1s" })
  async short(ctx: JobContext) {
    record(ctx);
  }

  // maxComputeTime over minClaimTtl: the claim lives maxComputeTime.
  @job("long", "* * * * * *", { maxComputeTime: "20s" })
  async long(ctx: JobContext) {
    record(ctx);
  }
}
void ClaimJobs;

function record(ctx: JobContext): void {
  const list = ranAt.get(ctx.job) ?? [];
  list.push(ctx.scheduledAt.getTime());
  ranAt.set(ctx.job, list);
}

const env = useRunners();

/** The tick key of the first fire of `job` that ran after `after`, read as soon as it ran. */
async function firstClaimAfter(runner: JobRunner, job: string, after: number) {
  let T = 0;
  await waitUntil(
    `a tick of ${job} to run`,
    () => {
      T = (ranAt.get(job) ?? []).find((t) => t > after) ?? 0;
      return T > 0;
    },
    10_000,
  );
  const key = `${runner.prefix}:tick:{${job}}:${T}`;
  const client = env.redis.client();
  const [[, owner], [, pttl]] = (await client.multi().get(key).pttl(key).exec()) as [
    [null, string | null],
    [null, number],
  ];
  return { key, T, owner, pttl, readAt: Date.now() };
}

it("a tick's claim key outlives its run and expires after max(maxComputeTime, minClaimTtl)", async () => {
  const runner = await env.start("claimer", { minClaimTtl: MIN_CLAIM_TTL_MS });
  const after = Date.now();

  for (const [job, ttl] of [
    ["claim.short", MIN_CLAIM_TTL_MS],
    ["claim.long", 20_000],
  ] as const) {
    const claim = await firstClaimAfter(runner, job, after);
    // The key names the instance that claimed the tick, and was not deleted when the run ended.
    expect(claim.owner, job).toBe("claimer");
    // It was set at or after T, with a TTL of `ttl`: it cannot expire before T + ttl, nor live
    // longer than `ttl` from now.
    expect(claim.pttl, job).toBeLessThanOrEqual(ttl);
    expect(claim.pttl, job).toBeGreaterThanOrEqual(claim.T + ttl - claim.readAt);
  }

  // It does expire: the key is gone once its TTL has passed.
  const short = await firstClaimAfter(runner, "claim.short", Date.now());
  const client = env.redis.client();
  await waitUntil(
    "the claim of claim.short to expire",
    async () => (await client.exists(short.key)) === 0,
    15_000,
  );
  expect(Date.now()).toBeGreaterThanOrEqual(short.T + MIN_CLAIM_TTL_MS - 1);
});
