import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository's root folder. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** One package this repository publishes, as the tests need to know it. */
export interface PublishedPackage {
  /** npm name, e.g. `@octo/redis-queue`. */
  readonly name: string;
  /** Folder relative to the repository root. */
  readonly dir: string;
  /** Names its entry point must export, checked through `import` and `require` alike. */
  readonly exports: readonly string[];
}

export const PUBLISHED_PACKAGES: readonly PublishedPackage[] = [
  {
    name: "@octo/logger",
    dir: "packages/logger",
    exports: ["Logger", "silentLogger", "MissingPrettyPrinterError"],
  },
  {
    name: "@octo/redis-lock",
    dir: "packages/redis-lock",
    exports: ["acquireLock", "releaseLock", "withLock"],
  },
  { name: "@octo/redis-queue", dir: "packages/redis-queue", exports: ["RedisQueue", "InvalidArgumentError"] },
  { name: "@octo/decorators", dir: "packages/decorators", exports: ["cron", "job", "query", "daily"] },
  { name: "@octo/runner", dir: "packages/runner", exports: ["JobRunner", "cron", "RedisQueue", "Logger"] },
  { name: "@octo/dashboard", dir: "packages/dashboard", exports: ["createDashboard"] },
  { name: "@octo/cli", dir: "packages/cli", exports: ["runCli"] },
  {
    name: "@octo/metrics",
    dir: "packages/metrics",
    exports: ["registerMetrics", "InvalidArgumentError", "MissingPeerDependencyError", "openTelemetry"],
  },
];

/** The package.json of a published package, as written in the repository. */
export function readManifest(pkg: PublishedPackage): Record<string, unknown> {
  return JSON.parse(readFileSync(`${REPO_ROOT}${pkg.dir}/package.json`, "utf8")) as Record<string, unknown>;
}

/**
 * The `npm install …` line of a package's README (its Install section), e.g.
 * `["@octo/redis-queue", "ioredis"]`: what a user types, so the tests install exactly that.
 */
export function readmeInstallLine(pkg: PublishedPackage): string[] {
  const readme = readFileSync(`${REPO_ROOT}${pkg.dir}/README.md`, "utf8");
  const line = readme.split("\n").find((text) => /^npm install /.test(text));
  if (!line) throw new Error(`${pkg.dir}/README.md has no "npm install …" line`);
  const specs = line.replace(/#.*$/, "").trim().split(/\s+/).slice(2);
  if (!specs.includes(pkg.name))
    throw new Error(`${pkg.dir}/README.md installs ${specs.join(" ")}, not ${pkg.name}`);
  return specs;
}
