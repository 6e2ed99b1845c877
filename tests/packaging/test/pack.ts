import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { promisify } from "node:util";
import { PUBLISHED_PACKAGES, REPO_ROOT } from "./published-packages";

const run = promisify(execFile);

/**
 * `pnpm pack` of every published package into `destination`, which is what `pnpm publish` uploads
 * (`workspace:` ranges already replaced by versions). The packages must be built first.
 *
 * @returns npm name → tarball path.
 */
export async function packAll(destination: string): Promise<Map<string, string>> {
  await Promise.all(
    PUBLISHED_PACKAGES.map((pkg) =>
      run("pnpm", ["pack", "--pack-destination", destination], { cwd: `${REPO_ROOT}${pkg.dir}` }),
    ),
  );
  const tarballs = new Map<string, string>();
  const files = await readdir(destination);
  for (const pkg of PUBLISHED_PACKAGES) {
    const prefix = `${pkg.name.replace("@", "").replace("/", "-")}-`;
    const file = files.find((name) => name.startsWith(prefix) && name.endsWith(".tgz"));
    if (!file) throw new Error(`pnpm pack wrote no tarball for ${pkg.name} into ${destination}`);
    tarballs.set(pkg.name, `${destination}/${file}`);
  }
  return tarballs;
}
