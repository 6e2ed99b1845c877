import { defineConfig } from "tsup";

/**
 * The one build every published package shares: ESM + CJS + declarations, Lua scripts inlined
 * as text so the package has no files to find at run time.
 */
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  loader: { ".lua": "text" },
});
