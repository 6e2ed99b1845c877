import { loadPeer } from "./optional-peer";

/** The part of prom-client's module these metrics use. */
export type PromClient = typeof import("prom-client");

/** prom-client, the application's own copy (and so its default registry). */
export function promClient(): PromClient {
  return loadPeer<PromClient>(
    "prom-client",
    "registerMetrics",
    "npm install prom-client (version 15 or later)",
  );
}
