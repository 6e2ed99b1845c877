import { defineConfig } from "tsup";

/**
 * Built once for the packages that bundle it; never published. Its imports stay external, so a
 * package that bundles it resolves `@octo/internal` once and lists the others in its own
 * dependencies.
 */
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  loader: { ".lua": "text" },
});
