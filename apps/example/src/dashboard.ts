import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { createDashboard } from "@octo/dashboard";
import type { Redis } from "ioredis";
import type { Registry } from "prom-client";

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** Actions are for people at this machine only. */
function fromLoopback(req: IncomingMessage): boolean {
  return LOOPBACK.has(req.socket.remoteAddress ?? "");
}

/**
 * Serves the dashboard on 127.0.0.1, port `OCTO_EXAMPLE_DASHBOARD_PORT` (default 4000; 0 picks a
 * free one), with actions on for loopback requests, and prints where; with a registry, its
 * Prometheus text at `/metrics` too. A port in use is reported and the jobs run on without a
 * dashboard. Resolves to a function that stops the server.
 */
export async function serveDashboard(redis: Redis, registry?: Registry): Promise<() => Promise<void>> {
  const port = Number(process.env.OCTO_EXAMPLE_DASHBOARD_PORT ?? 4000);
  const dashboard = createDashboard({
    redis,
    readOnly: false,
    authorize: fromLoopback,
    ...(registry ? { registry } : {}),
  });
  const server = createServer((req, res) => dashboard(req, res));
  const listening = await new Promise<boolean>((resolve) => {
    server.once("error", (error) => {
      console.error(`dashboard: not served, port ${port}: ${error.message}; set OCTO_EXAMPLE_DASHBOARD_PORT`);
      resolve(false);
    });
    server.listen(port, "127.0.0.1", () => resolve(true));
  });
  if (!listening) return async () => {};
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  console.log(`dashboard: ${url}`);
  if (registry) console.log(`metrics: ${url}metrics`);
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}
