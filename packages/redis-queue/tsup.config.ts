import { defineConfig } from "tsup";
import base from "../../tsup.base";
import { luaIncludes } from "./build/lua-includes";

export default defineConfig({ ...(base as object), esbuildPlugins: [luaIncludes()] });
