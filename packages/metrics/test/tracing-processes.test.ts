import "reflect-metadata";
import { fileURLToPath } from "node:url";
import { JobRunner } from "@octo/runner";
import { startNodeProcess, startRedis, type TestRedis, waitUntil } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openTelemetry } from "../src";
import { declareCrossJobs, ITEMS } from "./fixtures/cross-jobs";
import { inMemoryTracing } from "./support";

const fixture = fileURLToPath(new URL("./fixtures/traced-runner.ts", import.meta.url));
const tracing = inMemoryTracing();
// Slow here, fast in the other process: most items are handled there.
declareCrossJobs(tracing.provider.getTracer("app"), 200);

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

interface PrintedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

it("items filled by a run here and handled in another process are children of the run's span", async () => {
  const other = startNodeProcess(fixture, { env: { REDIS_URL: redis.url, INSTANCE: "other", ITEM_MS: "5" } });
  const runner = new JobRunner(new Container(), {
    instanceId: "here",
    telemetry: openTelemetry({ tracerProvider: tracing.provider }),
  });
  try {
    await other.waitFor(/^started/, 20_000);
    await runner.start(redis.client());
    const result = await runner.run("cross.items");
    expect(result.outcome).toBe("succeeded");
    const handledHere = tracing.spans("octo.queue.item").length;
    await waitUntil(
      "the other process to have ended the span of every item it handled",
      () => other.output().match(/"name":"octo.queue.item"/g)?.length === ITEMS - handledHere,
      20_000,
    );
  } finally {
    await runner.stop();
    await other.kill("SIGTERM");
  }
  const [run] = tracing.spans("octo.job.run");
  const printed = other
    .output()
    .split("\n")
    .filter((line) => line.startsWith("span "))
    .map((line) => JSON.parse(line.slice(5)) as PrintedSpan);
  const items = printed.filter((s) => s.name === "octo.queue.item");
  expect(items.length).toBeGreaterThan(0);
  for (const item of items) {
    expect(item.traceId).toBe(run?.spanContext().traceId);
    expect(item.parentSpanId).toBe(run?.spanContext().spanId);
    // The handler's own span there is the item span's child.
    const handler = printed.find((s) => s.parentSpanId === item.spanId);
    expect(handler?.name).toMatch(/^handle \d+$/);
  }
});
