import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "bench", "tests/*"],
    // Test files run one at a time: the multi-process scheduling and fault tests measure
    // behaviour on a 2-core machine, and another file's child processes would starve theirs.
    maxWorkers: 1,
  },
});
