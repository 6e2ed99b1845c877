import { readdir, readFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { join } from "node:path";

const SPECIFIERS = [
  /\bfrom\s*["']([^"']+)["']/g, // import … from "x", export … from "x"
  /\bimport\s*["']([^"']+)["']/g, // import "x"
  /\bimport\(\s*["']([^"']+)["']\s*\)/g, // import("x"), also in declaration files
  /\brequire\(\s*["']([^"']+)["']\s*\)/g, // require("x")
];

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `node:fs` → `node:fs`. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

function isBuiltin(name: string): boolean {
  return name.startsWith("node:") || builtinModules.includes(name);
}

/**
 * Every package the files of `packageDir/dist` import or require, builtins left out, each with the
 * first file that imports it. Reads the JavaScript and the declaration files, since a type that
 * names an undeclared package breaks the user's compile just as a missing module breaks the run.
 */
export async function importedPackages(packageDir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const dist = join(packageDir, "dist");
  for (const file of await readdir(dist)) {
    if (!/\.(c|m)?js$|\.d\.(c|m)?ts$/.test(file)) continue;
    const text = await readFile(join(dist, file), "utf8");
    for (const pattern of SPECIFIERS) {
      for (const match of text.matchAll(pattern)) {
        const specifier = match[1] ?? "";
        if (specifier.startsWith(".") || specifier.startsWith("/")) continue;
        const name = packageOf(specifier);
        if (!isBuiltin(name) && !found.has(name)) found.set(name, `dist/${file}`);
      }
    }
  }
  return found;
}

/** `dependencies`, `peerDependencies` and `optionalDependencies` of a package.json. */
export function declaredPackages(manifest: Record<string, unknown>): Set<string> {
  const names = new Set<string>();
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const name of Object.keys((manifest[field] as Record<string, string> | undefined) ?? {}))
      names.add(name);
  }
  return names;
}
