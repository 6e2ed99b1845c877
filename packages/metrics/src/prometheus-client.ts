import { createRequire } from "node:module";

/** The part of prom-client's module these metrics use. */
export type PromClient = typeof import("prom-client");

/**
 * Thrown by `registerMetrics` when prom-client cannot be loaded: it is an optional peer, so an
 * application that only traces does not install it.
 */
export class PromClientMissingError extends Error {
  readonly code = "ERR_OCTO_PROM_CLIENT_MISSING";
  override readonly name = "PromClientMissingError";
}

let loaded: PromClient | undefined;

/**
 * prom-client, loaded on first use rather than imported at the top: importing `@octo/metrics`
 * for its tracing alone must work without prom-client installed. prom-client is CommonJS, so
 * `require` gives the application's own copy (and its default registry) from ESM and CJS alike.
 */
export function promClient(): PromClient {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)("prom-client") as PromClient;
  } catch (error) {
    throw new PromClientMissingError(
      "registerMetrics needs prom-client, which is not installed: run `npm install prom-client` (version 15 or later)",
      { cause: error },
    );
  }
  return loaded;
}
