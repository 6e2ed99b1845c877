import { configDefaults, type UserWorkspaceConfig } from "vitest/config";

/**
 * Settings every test project shares. Tests talk to real Redis servers and real child
 * processes, so timeouts are generous; they bound a hung test, they do not measure speed.
 * Type tests (`test/**\/*.test-d.ts`, `expectTypeOf` and `@ts-expect-error`) are checked by
 * `tsc` in vitest's typecheck mode: a wrong type assertion fails the run like a failing test.
 * `OCTO_TEST_EXCLUDE` (comma-separated globs) leaves files out, for runs that need only some.
 */
export function octoProject(name: string): UserWorkspaceConfig {
  return {
    test: {
      name,
      include: ["test/**/*.test.ts"],
      exclude: [
        ...configDefaults.exclude,
        ...(process.env.OCTO_TEST_EXCLUDE ?? "").split(",").filter((glob) => glob !== ""),
      ],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      globalSetup: [new URL("./packages/testing/src/global-setup.ts", import.meta.url).pathname],
      typecheck: {
        enabled: true,
        include: ["test/**/*.test-d.ts"],
        tsconfig: "./tsconfig.json",
      },
    },
  };
}
