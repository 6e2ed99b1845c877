import { defineConfig } from "tsup";

/**
 * The one build every published package shares: ESM + CJS + declarations, Lua scripts inlined
 * as text so the package has no files to find at run time. `@octo/internal` and `@octo/state` are
 * private: their code and their types are bundled into each package that uses them, so users
 * install nothing extra.
 */
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: { resolve: ["@octo/internal", "@octo/state"] },
  noExternal: ["@octo/internal", "@octo/state"],
  sourcemap: true,
  clean: true,
  target: "node20",
  loader: { ".lua": "text" },
});
