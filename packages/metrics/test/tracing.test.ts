import "reflect-metadata";
import { cron, type JobContext, JobRunner, job, query, RedisQueue } from "@octo/runner";
import { startRedis, type TestRedis } from "@octo/testing";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { Container } from "inversify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openTelemetry } from "../src";
import { inMemoryTracing, isChildOf } from "./support";

const tracing = inMemoryTracing();
const app = tracing.provider.getTracer("app");
/** What an application's handler does: a span of its own, around a database call say. */
const userSpan = (name: string) => app.startActiveSpan(name, async (span) => span.end());

@cron("traced")
class TracedJobs {
  @job("ok", "0 0 1 1 *")
  async ok(_ctx: JobContext) {
    await userSpan("db.query ok");
  }

  @job("fails", "0 0 1 1 *", { retries: 1, timeout: 10 })
  async fails(_ctx: JobContext) {
    throw new Error("database down");
  }

  @query("items")
  async ids() {
    return [1, 2, 3];
  }

  @job("items", "0 0 1 1 *", { retries: 0 })
  async item(n: number) {
    if (n === 2) throw new Error("item 2 is broken");
    await userSpan(`db.query item ${n}`);
  }
}
void TracedJobs;

let redis: TestRedis;
let runner: JobRunner;
beforeAll(async () => {
  redis = await startRedis();
  runner = new JobRunner(new Container(), {
    instanceId: "traced-1",
    telemetry: openTelemetry({ tracerProvider: tracing.provider }),
  });
  await runner.start(redis.client());
});
afterAll(async () => {
  await runner?.stop();
  await redis?.stop();
});
beforeEach(() => tracing.exporter.reset());

describe("runs", () => {
  it("a run has one octo.job.run span with its job, time, instance, trigger, attempts and outcome", async () => {
    const result = await runner.run("traced.ok");
    expect(result.outcome).toBe("succeeded");
    const [span, ...more] = tracing.spans("octo.job.run");
    expect(more).toEqual([]);
    expect(span?.kind).toBe(SpanKind.INTERNAL);
    expect(span?.attributes).toEqual({
      "octo.job.name": "traced.ok",
      "octo.job.scheduled_at": result.scheduledAt.toISOString(),
      "octo.job.trigger": "run",
      "octo.instance.id": "traced-1",
      "octo.job.attempts": 1,
      "octo.job.outcome": "succeeded",
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("a span the handler starts is a child of the run's span", async () => {
    await runner.run("traced.ok");
    const [run] = tracing.spans("octo.job.run");
    const [user] = tracing.spans("db.query ok");
    expect(run && user && isChildOf(user, run)).toBe(true);
  });

  it("a failed run's span has status ERROR, the exception, and every attempt counted", async () => {
    const result = await runner.run("traced.fails");
    expect(result.outcome).toBe("failed");
    const [span, ...more] = tracing.spans("octo.job.run");
    expect(more).toEqual([]);
    expect(span?.attributes["octo.job.outcome"]).toBe("failed");
    expect(span?.attributes["octo.job.attempts"]).toBe(2);
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: "database down" });
    const exception = span?.events.find((e) => e.name === "exception");
    expect(exception?.attributes?.["exception.message"]).toBe("database down");
  });
});

describe("queue items of a query job", () => {
  it("each item has an octo.queue.item span, a child of the run that filled the queue", async () => {
    await runner.run("traced.items");
    const [run] = tracing.spans("octo.job.run");
    const items = tracing.spans("octo.queue.item");
    expect(items).toHaveLength(3);
    for (const item of items) {
      expect(run && isChildOf(item, run)).toBe(true);
      expect(item.kind).toBe(SpanKind.CONSUMER);
      expect(item.attributes).toMatchObject({
        "messaging.system": "octo",
        "messaging.operation.type": "process",
        "messaging.destination.name": "traced.items",
        "octo.queue.item.attempt": 1,
      });
    }
    expect(items.map((s) => s.attributes["messaging.message.id"]).sort()).toEqual(["1", "2", "3"]);
  });

  it("a failing item's span has status ERROR and the exception; its handler's spans are its children", async () => {
    await runner.run("traced.items");
    const items = tracing.spans("octo.queue.item");
    const failed = items.filter((s) => s.status.code === SpanStatusCode.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.attributes["octo.queue.item.outcome"]).toBe("dead-lettered");
    expect(failed[0]?.events.find((e) => e.name === "exception")?.attributes?.["exception.message"]).toBe(
      "item 2 is broken",
    );
    const processed = items.filter((s) => s.attributes["octo.queue.item.outcome"] === "processed");
    expect(processed).toHaveLength(2);
    for (const n of [1, 3]) {
      const [user] = tracing.spans(`db.query item ${n}`);
      expect(user && processed.some((item) => isChildOf(user, item))).toBe(true);
    }
  });

  it("the fill records the run's trace context beside its T, in a sibling key", async () => {
    const result = await runner.run("traced.items");
    const [run] = tracing.spans("octo.job.run");
    const stored = JSON.parse((await redis.client().get("octo:fill:{traced.items}:trace")) as string);
    expect(stored).toEqual({
      T: result.scheduledAt.getTime(),
      carrier: { traceparent: `00-${run?.spanContext().traceId}-${run?.spanContext().spanId}-01` },
    });
  });
});

describe("a standalone queue", () => {
  it("traces each item in a new trace, a failed attempt with status ERROR, the handler's spans as children", async () => {
    const queue = new RedisQueue<number>("traced-standalone", redis.client(), {
      retries: 1,
      timeout: 10,
      telemetry: openTelemetry({ tracerProvider: tracing.provider }),
    });
    await queue.add([1, 2]);
    let failedOnce = false;
    await queue.work(
      async (n) => {
        if (n === 2 && !failedOnce) {
          failedOnce = true;
          throw "not yet";
        }
        await userSpan(`standalone ${n}`);
      },
      { drainGraceMs: 100 },
    );
    const items = tracing.spans("octo.queue.item");
    expect(items.map((s) => s.attributes["octo.queue.item.outcome"]).sort()).toEqual([
      "failed",
      "processed",
      "processed",
    ]);
    for (const item of items) expect(item.parentSpanContext).toBeUndefined();
    expect(new Set(items.map((s) => s.spanContext().traceId)).size).toBe(3);
    const failed = items.find((s) => s.attributes["octo.queue.item.outcome"] === "failed");
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: "not yet" });
    expect(failed?.attributes["octo.queue.item.attempt"]).toBe(1);
    expect(failed?.events.some((e) => e.name === "exception")).toBe(true);
    const retried = items.find((s) => s.attributes["octo.queue.item.attempt"] === 2);
    expect(retried?.attributes["messaging.message.id"]).toBe(failed?.attributes["messaging.message.id"]);
    const [user] = tracing.spans("standalone 2");
    expect(user && retried && isChildOf(user, retried)).toBe(true);
  });
});
