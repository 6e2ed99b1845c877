import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");

describe("the published package", () => {
  it("depends on no logging stack: only ms at run time, ioredis as a peer", () => {
    const manifest = JSON.parse(read("package.json"));
    expect(Object.keys(manifest.dependencies)).toEqual(["ms"]);
    expect(Object.keys(manifest.peerDependencies)).toEqual(["ioredis"]);
    expect(manifest.devDependencies["@octo/internal"]).toBe("workspace:*");
  });

  it("bundles @octo/internal: the built code imports only ms and Node.js built-ins", () => {
    const esm = [...read("dist/index.js").matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    const cjs = [...read("dist/index.cjs").matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    for (const imported of [...esm, ...cjs]) expect(["ms", "crypto", "node:crypto"]).toContain(imported);
    expect(esm).toContain("ms");
    for (const file of ["dist/index.js", "dist/index.cjs", "dist/index.d.ts"]) {
      expect(read(file)).not.toMatch(/["']@octo\/(internal|logger)["']|["']pino["']/);
    }
  });
});
