import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { USER_TSCONFIG } from "./bundled-runner-app";
import type { NpmProject } from "./npm-project";
import type { PublishedPackage } from "./published-packages";
import { readmeCodeBlocks } from "./readme-code-blocks";

/** The TypeScript a user adds to compile the quick start: the repository's compiler, Node 20's types. */
export const USER_DEV_DEPENDENCIES = ["typescript@5.9.3", "@types/node@20"];

/**
 * Writes the ```ts run blocks of `pkg`'s README into the user's project as ES modules, compiles
 * them with the project's own `tsc` under `strict` and the decorator settings, and returns the
 * compiled files to run.
 */
export async function compileQuickStarts(user: NpmProject, pkg: PublishedPackage): Promise<string[]> {
  const blocks = readmeCodeBlocks(`${pkg.dir}/README.md`).filter((block) => block.kind === "run");
  if (blocks.length === 0) throw new Error(`${pkg.dir}/README.md has no \`\`\`ts run quick start`);
  const sources = blocks.map((_, index) => `quick-start-${index + 1}.mts`);
  await Promise.all(
    blocks.map((block, index) => writeFile(join(user.dir, sources[index] as string), block.code)),
  );
  const tsconfig = {
    compilerOptions: { ...USER_TSCONFIG.compilerOptions, types: ["node"], outDir: "out", rootDir: "." },
    files: sources,
  };
  await writeFile(join(user.dir, "tsconfig.quick-start.json"), JSON.stringify(tsconfig, null, 2));
  await user.node([join("node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.quick-start.json"]);
  return sources.map((source) => join(user.dir, "out", source.replace(/\.mts$/, ".mjs")));
}
