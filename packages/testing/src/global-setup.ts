import { randomUUID } from "node:crypto";
import { reapOrphanedServers } from "./redis-server";

/**
 * Runs once per test run in the main vitest process, before the test workers start (they
 * inherit the run id). Servers a test file spawned are stopped by that file; the teardown is
 * the net under it: anything a crashed worker left behind is stopped at the end of the run.
 */
export function setup(): void {
  process.env.OCTO_TEST_RUN_ID ??= randomUUID();
}

export async function teardown(): Promise<void> {
  await reapOrphanedServers();
}
