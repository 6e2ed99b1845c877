import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const withoutPeers = fileURLToPath(new URL("./fixtures/without-peers.cjs", import.meta.url));

/** What each entry point does in a process where neither prom-client nor @opentelemetry/api loads. */
const probe = `
  const outcome = (fn) => { try { fn(); return "ok"; } catch (e) { return e.code + " " + e.peer; } };
  console.log(JSON.stringify({
    loaded: typeof m.registerMetrics === "function" && typeof m.openTelemetry === "function",
    registerMetrics: outcome(() => {
      const redis = new Redis({ lazyConnect: true });
      m.registerMetrics({ queues: [new RedisQueue("emails", redis)], redis });
    }),
    openTelemetry: outcome(() => m.openTelemetry()),
  }));
`;

async function probeIn(kind: "esm" | "cjs"): Promise<unknown> {
  const script =
    kind === "esm"
      ? `const m = await import("@octo/metrics");
         const { Redis } = await import("ioredis");
         const { RedisQueue } = await import("@octo/redis-queue"); ${probe}`
      : `const m = require("@octo/metrics");
         const { Redis } = require("ioredis");
         const { RedisQueue } = require("@octo/redis-queue"); ${probe}`;
  const { stdout } = await run(
    process.execPath,
    ["--require", withoutPeers, ...(kind === "esm" ? ["--input-type=module"] : []), "-e", script],
    { cwd: packageDir },
  );
  return JSON.parse(stdout);
}

describe("optional peers", () => {
  it.each(["esm", "cjs"] as const)(
    "%s: the package loads without prom-client and @opentelemetry/api; each function that needs one says which to install",
    async (kind) => {
      expect(await probeIn(kind)).toEqual({
        loaded: true,
        registerMetrics: "ERR_OCTO_MISSING_PEER_DEPENDENCY prom-client",
        openTelemetry: "ERR_OCTO_MISSING_PEER_DEPENDENCY @opentelemetry/api",
      });
    },
  );
});
