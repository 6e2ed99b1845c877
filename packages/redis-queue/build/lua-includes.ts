import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Options } from "tsup";

type Plugin = NonNullable<Options["esbuildPlugins"]>[number];

const INCLUDE = /^--@include\s+(\S+)\s*$/gm;

/**
 * Expands `--@include <path>` lines (the path relative to the including file) into the text of
 * that file, recursively, each file at most once per script, so scripts share Lua snippets
 * instead of copying them. `read` is the file reader (the file system unless a test passes one).
 */
export function expandLuaIncludes(
  file: string,
  read: (path: string) => string = (path) => readFileSync(path, "utf8"),
  seen: Set<string> = new Set([file]),
): string {
  return read(file).replace(INCLUDE, (_line, target: string) => {
    const path = resolve(dirname(file), target);
    if (seen.has(path)) return "";
    seen.add(path);
    return expandLuaIncludes(path, read, seen).trimEnd();
  });
}

/** Loads `.lua` files as text with their includes expanded, at build time. */
export function luaIncludes(): Plugin {
  return {
    name: "lua-includes",
    setup(build) {
      build.onLoad({ filter: /\.lua$/ }, (args) => {
        const watchFiles: string[] = [];
        const contents = expandLuaIncludes(args.path, (path) => {
          watchFiles.push(path);
          return readFileSync(path, "utf8");
        });
        return { contents, loader: "text", watchFiles };
      });
    },
  };
}
