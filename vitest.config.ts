import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "bench", "tests/*"],
    // Each project says where it runs (vitest.shared.ts `scheduling`): the multi-process
    // scheduling and fault tests measure behaviour on a 2-core machine, so they run last and one
    // file at a time; another file's child processes would starve theirs.
    maxWorkers: 1,
  },
});
