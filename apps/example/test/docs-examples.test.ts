import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const app = fileURLToPath(new URL("..", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

it("every example of the jobs guide type-checks against the published @octo packages", () => {
  const result = spawnSync(process.execPath, [tsc, "--noEmit", "-p", "tsconfig.docs.json"], {
    cwd: app,
    encoding: "utf8",
  });
  expect(result.stdout + result.stderr).toBe("");
  expect(result.status).toBe(0);
});

it("the example service itself type-checks", () => {
  const result = spawnSync(process.execPath, [tsc, "--noEmit", "-p", "tsconfig.json"], {
    cwd: app,
    encoding: "utf8",
  });
  expect(result.stdout + result.stderr).toBe("");
  expect(result.status).toBe(0);
});
