import { createRequire } from "node:module";

/**
 * Thrown when a function needs an optional peer dependency that is not installed: prom-client
 * for `registerMetrics`, `@opentelemetry/api` for `openTelemetry`. Each is loaded on first use,
 * so an application that only measures, or only traces, installs only what it uses.
 */
export class MissingPeerDependencyError extends Error {
  readonly code = "ERR_OCTO_MISSING_PEER_DEPENDENCY";
  override readonly name = "MissingPeerDependencyError";

  constructor(
    /** The package that could not be loaded. */
    readonly peer: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const loaded = new Map<string, unknown>();

/**
 * `peer`, loaded with `require` on first use rather than imported at the top. prom-client is
 * CommonJS; `@opentelemetry/api` keeps its state on `globalThis`, so its CommonJS copy sees the
 * provider and context manager an SDK registered through either module system.
 */
export function loadPeer<T>(peer: string, neededBy: string, install: string): T {
  if (loaded.has(peer)) return loaded.get(peer) as T;
  let module: T;
  try {
    module = createRequire(import.meta.url)(peer) as T;
  } catch (error) {
    throw new MissingPeerDependencyError(
      peer,
      `${neededBy} needs ${peer}, which is not installed: run \`${install}\``,
      { cause: error },
    );
  }
  loaded.set(peer, module);
  return module;
}
