import { defineConfig, type Options } from "tsup";
import base from "../../tsup.base";

/** The shared build, plus the `octo-jobs` binary beside the library entry. */
export default defineConfig({
  ...(base as Options),
  entry: ["src/index.ts", "src/bin.ts"],
});
