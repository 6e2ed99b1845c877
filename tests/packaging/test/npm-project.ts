import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * One npm cache for every project of every run: a package downloaded once is copied from it after,
 * while npm still asks the registry which versions are latest.
 */
export const NPM_CACHE = join(tmpdir(), "octo-packaging-npm-cache");

/** What a command printed; it threw when it exited non-zero. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/**
 * The environment a user's shell would give npm and node: none of the variables `pnpm test` and
 * pnpm's bin shims set (their NODE_PATH would let node find the workspace's own packages).
 */
function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|PNPM_|INIT_CWD$|VITEST|NODE_OPTIONS$|NODE_PATH$|TSX_)/.test(key)) env[key] = value;
  }
  return {
    ...env,
    npm_config_cache: NPM_CACHE,
    npm_config_audit: "false",
    npm_config_fund: "false",
    ...extra,
  };
}

/** Runs `command` in `cwd` as a user's shell would; rejects with its output when it fails. */
export function runCommand(
  command: string,
  args: readonly string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
  timeoutMs = 300_000,
): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: userEnvironment(extraEnv), maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout}\n${stderr}`, {
              cause: error,
            }),
          );
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

/** A fresh folder with a package.json, where a user installs the packages with plain npm. */
export interface NpmProject {
  readonly dir: string;
  /**
   * `node <args>` in the project, e.g. `["-e", "require('@octo/logger')"]`; a process still
   * running after `timeoutMs` is killed and the call rejects.
   */
  node(
    args: readonly string[],
    extraEnv?: Record<string, string>,
    timeoutMs?: number,
  ): Promise<CommandOutput>;
  /** `npm <args>` in the project. */
  npm(args: readonly string[]): Promise<CommandOutput>;
  /** Names of every package installed anywhere under node_modules, nested ones included. */
  installedPackages(): Promise<Set<string>>;
}

/**
 * Makes `dir` a new npm project and runs `npm install <specs>`, where each `@octo/*` name of the
 * README's line is replaced by its tarball. The other `@octo/*` packages come from their tarballs
 * too, through `overrides`, because they are not on the registry until they are published.
 */
export async function createNpmProject(
  dir: string,
  specs: readonly string[],
  tarballs: ReadonlyMap<string, string>,
): Promise<NpmProject> {
  await mkdir(dir, { recursive: true });
  const overrides: Record<string, string> = {};
  for (const [name, tarball] of tarballs) if (!specs.includes(name)) overrides[name] = `file:${tarball}`;
  const manifest = { name: "octo-user-project", version: "1.0.0", private: true, overrides };
  await writeFile(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await mkdir(NPM_CACHE, { recursive: true });
  const project: NpmProject = {
    dir,
    node: (args, extraEnv, timeoutMs) => runCommand(process.execPath, args, dir, extraEnv, timeoutMs),
    npm: (args) => runCommand("npm", args, dir),
    installedPackages: () => listInstalled(join(dir, "node_modules")),
  };
  await project.npm(["install", ...specs.map((spec) => tarballs.get(spec) ?? spec)]);
  return project;
}

async function listInstalled(nodeModules: string): Promise<Set<string>> {
  const names = new Set<string>();
  const visit = async (folder: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(folder);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith(".")) continue;
      const paths = entry.startsWith("@")
        ? (await readdir(join(folder, entry))).map((scoped) => join(folder, entry, scoped))
        : [join(folder, entry)];
      for (const path of paths) {
        try {
          const { name } = JSON.parse(await readFile(join(path, "package.json"), "utf8")) as { name: string };
          names.add(name);
        } catch {
          continue;
        }
        await visit(join(path, "node_modules"));
      }
    }
  };
  await visit(nodeModules);
  return names;
}
