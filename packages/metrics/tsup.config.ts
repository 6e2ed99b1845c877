import { defineConfig, type Options } from "tsup";
import base from "../../tsup.base";

// prom-client is loaded with createRequire(import.meta.url); the shim gives the CommonJS build that URL.
export default defineConfig({ ...(base as Options), shims: true });
