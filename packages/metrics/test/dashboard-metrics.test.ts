import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createDashboard, type DashboardOptions } from "@octo/dashboard";
import { registerMetrics } from "@octo/metrics";
import { RedisQueue } from "@octo/redis-queue";
import { PrometheusScrape, startRedis, type TestRedis } from "@octo/testing";

import { Registry } from "prom-client";
import { afterAll, beforeAll, expect, it } from "vitest";

let redis: TestRedis;
const servers: Server[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await redis?.stop();
});

async function serve(options: DashboardOptions): Promise<string> {
  const dashboard = createDashboard(options);
  const server = createServer((req, res) => dashboard(req, res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

it("the dashboard given a registry serves GET /metrics: the registry's Prometheus text with its content type", async () => {
  const queue = new RedisQueue<number>("served", redis.client());
  await queue.add([1, 2]);
  const registry = new Registry();
  registerMetrics({ registry, queues: [queue], redis: redis.client() });
  const base = await serve({ redis: redis.client(), registry, basePath: "/ops" });

  const res = await fetch(`${base}/ops/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe(registry.contentType);
  const scrape = PrometheusScrape.parse(await res.text());
  expect(scrape.value("octo_queue_pending_items", { queue: "served" })).toBe(2);
  expect(scrape.value("octo_queue_items_processed_total", { queue: "served" })).toBe(0);
});

it("without a registry, /metrics is not the dashboard's", async () => {
  const base = await serve({ redis: redis.client() });
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(404);
  expect(await res.json()).toEqual({ error: "not found" });
});
