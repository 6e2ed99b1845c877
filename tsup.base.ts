import { defineConfig } from "tsup";

/**
 * The one build every published package shares: ESM + CJS + declarations, Lua scripts inlined
 * as text so the package has no files to find at run time. `@octo/internal` is private: its code
 * and its types are bundled into each package that uses it, so users install nothing extra.
 */
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: { resolve: ["@octo/internal"] },
  noExternal: ["@octo/internal"],
  sourcemap: true,
  clean: true,
  target: "node20",
  loader: { ".lua": "text" },
});
