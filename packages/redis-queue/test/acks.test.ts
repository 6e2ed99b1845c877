import { RedisQueue } from "@octo/redis-queue";
import { recordingLogger } from "@octo/testing";
import { describe, expect, it } from "vitest";
import { leaseDeadline, useRedis } from "./support";

const env = useRedis();

describe("acks", () => {
  it("a failing ack is retried, its item stays leased and renewed meanwhile, and work() then rejects", async () => {
    const logger = recordingLogger();
    const queue = new RedisQueue<string>("ack-fails", env.redis, { leaseTime: 2000, logger });
    await queue.fill(["only"]);
    let deadlineAtHandler = 0;
    const outcome = await queue
      .work(
        async () => {
          deadlineAtHandler = await leaseDeadline(env.redis, "ack-fails", "1");
          // Only an ack touches the stall counts of a finished item: break that key's type so
          // that Redis refuses every ack (WRONGTYPE) while takes and renewals still work.
          await env.redis.set("octo:q:{ack-fails}:stalls", "not a hash");
        },
        { drainGraceMs: 0 },
      )
      .then(
        () => undefined,
        (error: Error & { code?: string; cause?: unknown }) => error,
      );
    expect(outcome?.code).toBe("ERR_OCTO_ACK_FAILED");
    expect(String((outcome?.cause as Error | undefined)?.message)).toMatch(/WRONGTYPE/);
    expect(logger.messages("warn").filter((m) => m === "ack failed; retrying").length).toBeGreaterThanOrEqual(
      2,
    );
    // Not lost: still in flight, under a lease renewed while the ack was retried.
    expect(await queue.stats()).toMatchObject({ pending: 0, inFlight: 1, dead: 0 });
    expect(await leaseDeadline(env.redis, "ack-fails", "1")).toBeGreaterThan(deadlineAtHandler);
  });
});
