import { defineConfig } from "tsup";

/** Built once for the packages that bundle it; never published. */
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
});
