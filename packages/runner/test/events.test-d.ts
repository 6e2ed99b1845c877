import { JobRunner, type JobRunnerEvents, type QueueEvents, RedisQueue } from "@octo/runner";
import { Container } from "inversify";
import type { Redis } from "ioredis";
import { describe, expectTypeOf, it } from "vitest";

describe("event payload types", () => {
  it("are inferred per event name, and a wrong name is a type error", () => {
    const runner = new JobRunner(new Container());
    runner.on("run:finished", (e) => {
      expectTypeOf(e.outcome).toEqualTypeOf<"succeeded" | "failed">();
      expectTypeOf(e.error).toEqualTypeOf<string | undefined>();
      expectTypeOf(e.endedAt).toEqualTypeOf<Date>();
    });
    runner.on("tick:missed", (e) => expectTypeOf(e.ticks).toEqualTypeOf<Date[]>());
    runner.on("item:failed", (e) => expectTypeOf(e).toEqualTypeOf<QueueEvents["item:failed"]>());
    expectTypeOf<JobRunnerEvents["tick:skipped"]["reason"]>().toEqualTypeOf<"overlap" | "stopping">();
    // @ts-expect-error not an event of the runner
    runner.on("run:done", () => {});
    // @ts-expect-error the payload of run:started has no outcome
    runner.on("run:started", (e) => e.outcome);

    const queue = new RedisQueue<string>("q", {} as Redis);
    queue.on("item:dead-lettered", (e) =>
      expectTypeOf(e.reason).toEqualTypeOf<"failed" | "stalled" | "undecodable">(),
    );
    // @ts-expect-error runner events are not queue events
    queue.on("run:finished", () => {});
  });
});
