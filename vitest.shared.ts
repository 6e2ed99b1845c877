import { configDefaults, type UserWorkspaceConfig } from "vitest/config";

/**
 * Settings every test project shares. Tests talk to real Redis servers and real child
 * processes, so timeouts are generous; they bound a hung test, they do not measure speed.
 * Type tests (`test/**\/*.test-d.ts`, `expectTypeOf` and `@ts-expect-error`) are not run here:
 * `pnpm typecheck` (part of `pnpm test`) compiles them with every package's sources and tests,
 * and a wrong type assertion is a compile error there.
 */
export function octoProject(name: string): UserWorkspaceConfig {
  return {
    test: {
      name,
      ...scheduling(name),
      include: ["test/**/*.test.ts"],
      exclude: configDefaults.exclude,
      testTimeout: 60_000,
      hookTimeout: 60_000,
      globalSetup: [new URL("./packages/testing/src/global-setup.ts", import.meta.url).pathname],
    },
  };
}

/**
 * The projects whose tests prove behaviour in time on this machine: several processes sharing
 * ticks and leases, kills, stalls, lease clocks and the CPU-load lock margin. They run after the
 * others, one file at a time, so no other file's processes starve theirs.
 */
const TIMED = new Set(["redis-lock", "redis-queue", "runner", "chaos"]);

/**
 * Where a project runs in `vitest run`: the timed projects last, one file at a time; the others
 * (pure functions, the packed-package installs, the dashboard in a browser, the CLI, metrics, the
 * example and the bench smoke test, all waiting on conditions with generous bounds) first, two
 * files at a time.
 */
export function scheduling(name: string): { sequence: { groupOrder: number }; maxWorkers: number } {
  return TIMED.has(name)
    ? { sequence: { groupOrder: 1 }, maxWorkers: 1 }
    : { sequence: { groupOrder: 0 }, maxWorkers: 2 };
}
