import type { UserWorkspaceConfig } from "vitest/config";

/**
 * Settings every test project shares. Tests talk to real Redis servers and real child
 * processes, so timeouts are generous; they bound a hung test, they do not measure speed.
 */
export function octoProject(name: string): UserWorkspaceConfig {
  return {
    test: {
      name,
      include: ["test/**/*.test.ts"],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      globalSetup: [new URL("./packages/testing/src/global-setup.ts", import.meta.url).pathname],
    },
  };
}
