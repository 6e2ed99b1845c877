import { defineConfig } from "tsup";
import base from "../../tsup.base";

// `shims` gives the CommonJS build an `import.meta.url`, which loading the optional pino-pretty
// from this package's own location needs in both formats.
export default defineConfig({ ...base, shims: true });
