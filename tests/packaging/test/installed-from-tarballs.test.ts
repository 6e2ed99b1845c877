import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRedis, type TestRedis } from "@octo/testing";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_APP_SOURCE, USER_TSCONFIG } from "./bundled-runner-app";
import { declaredPackages, importedPackages } from "./dist-imports";
import { createNpmProject, type NpmProject, runCommand } from "./npm-project";
import { packAll } from "./pack";
import {
  PUBLISHED_PACKAGES,
  type PublishedPackage,
  REPO_ROOT,
  readManifest,
  readmeInstallLine,
} from "./published-packages";
import { compileQuickStarts, USER_DEV_DEPENDENCIES } from "./user-quick-start";

/**
 * Each published package as a user gets it: packed, then installed with plain npm from the
 * registry (the latest ioredis and inversify) into a fresh project, one per README install line.
 */
let root: string;
let tarballs: Map<string, string>;
const projects = new Map<string, NpmProject>();

const byName = PUBLISHED_PACKAGES.map((pkg) => [pkg.name, pkg] as const);

function project(pkg: PublishedPackage): NpmProject {
  const found = projects.get(pkg.name);
  if (!found) throw new Error(`no project was installed for ${pkg.name}`);
  return found;
}

beforeAll(async () => {
  const started = Date.now();
  root = await mkdtemp(join(tmpdir(), "octo-packaging-"));
  tarballs = await packAll(root);
  // npm's cache is safe to share between concurrent installs; the installs mostly wait on the network.
  await Promise.all(
    PUBLISHED_PACKAGES.map(async (pkg) => {
      const dir = join(root, pkg.name.replace("@octo/", "user-of-"));
      projects.set(pkg.name, await createNpmProject(dir, readmeInstallLine(pkg), tarballs));
    }),
  );
  console.log(`packed and installed ${projects.size} projects with npm in ${Date.now() - started} ms`);
}, 600_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("installed with npm from the packed tarballs", () => {
  it.each(byName)(
    "%s: npm ci installs the project again from the lockfile npm install wrote",
    async (_, pkg) => {
      const user = project(pkg);
      await rm(join(user.dir, "node_modules"), { recursive: true, force: true });
      await user.npm(["ci"]);
      const installed = JSON.parse(
        await readFile(join(user.dir, "node_modules", pkg.name, "package.json"), "utf8"),
      ) as { version: string };
      expect(installed.version).toBe(readManifest(pkg).version);
    },
  );

  it.each(byName)("%s: ESM import and CommonJS require load the same exports", async (_, pkg) => {
    const user = project(pkg);
    // A package whose README installs reflect-metadata is used after importing it, as its README shows.
    const withReflect = readmeInstallLine(pkg).includes("reflect-metadata");
    const name = JSON.stringify(pkg.name);
    const esm = await user.node([
      "--input-type=module",
      "-e",
      `${withReflect ? 'import "reflect-metadata";' : ""} const m = await import(${name}); console.log(JSON.stringify(Object.keys(m).sort()));`,
    ]);
    const cjs = await user.node([
      "-e",
      `${withReflect ? 'require("reflect-metadata");' : ""} console.log(JSON.stringify(Object.keys(require(${name})).sort()));`,
    ]);
    const esmNames = JSON.parse(esm.stdout) as string[];
    const cjsNames = JSON.parse(cjs.stdout) as string[];
    expect(cjsNames).toEqual(esmNames);
    for (const name of pkg.exports) expect(esmNames).toContain(name);
  });

  it.each(byName)(
    "%s: ships the MIT LICENSE and names its repository folder, homepage and issue tracker",
    async (_, pkg) => {
      const installedDir = join(project(pkg).dir, "node_modules", pkg.name);
      const license = await readFile(join(installedDir, "LICENSE"), "utf8");
      expect(license).toBe(await readFile(join(REPO_ROOT, "LICENSE"), "utf8"));
      const manifest = JSON.parse(await readFile(join(installedDir, "package.json"), "utf8")) as Record<
        string,
        unknown
      >;
      expect(manifest).toMatchObject({
        license: "MIT",
        repository: {
          type: "git",
          url: "git+https://github.com/octo-jobs/octo-jobs.git",
          directory: pkg.dir,
        },
        homepage: `https://github.com/octo-jobs/octo-jobs/tree/main/${pkg.dir}#readme`,
        bugs: { url: "https://github.com/octo-jobs/octo-jobs/issues" },
        publishConfig: { access: "public", provenance: true },
      });
      expect((manifest.keywords as string[]).length).toBeGreaterThan(0);
    },
  );

  it("the runner's README line installs the registry's latest ioredis and inversify", async () => {
    const user = project(PUBLISHED_PACKAGES.find((pkg) => pkg.name === "@octo/runner") as PublishedPackage);
    for (const peer of ["ioredis", "inversify"]) {
      const latest = (await user.npm(["view", peer, "version"])).stdout.trim();
      const installed = JSON.parse(
        await readFile(join(user.dir, "node_modules", peer, "package.json"), "utf8"),
      ) as {
        version: string;
      };
      expect(installed.version, peer).toBe(latest);
    }
  });

  it.each([["@octo/redis-queue"], ["@octo/redis-lock"]])(
    "%s alone installs no logging stack, no cron and no DI container",
    async (name) => {
      const user = project(PUBLISHED_PACKAGES.find((pkg) => pkg.name === name) as PublishedPackage);
      const installed = await user.installedPackages();
      const unwanted = ["pino", "pino-pretty", "node-cron", "inversify"].filter((heavy) =>
        installed.has(heavy),
      );
      expect(unwanted, `${name} brings ${[...installed].sort().join(", ")}`).toEqual([]);
    },
  );

  it("@octo/cli: npm links the octo-jobs binary, which runs and exits by itself", async () => {
    const pkg = PUBLISHED_PACKAGES.find((p) => p.name === "@octo/cli") as PublishedPackage;
    const user = project(pkg);
    const bin = join(user.dir, "node_modules", ".bin", "octo-jobs");
    const { stdout } = await runCommand(bin, ["--version"], user.dir, {}, 30_000);
    expect(stdout.trim()).toBe(readManifest(pkg).version);
    const help = await runCommand(bin, ["--help"], user.dir, {}, 30_000);
    expect(help.stdout).toContain("Usage: octo-jobs <command>");
  });

  it("@octo/logger alone installs pino but not pino-pretty", async () => {
    const user = project(PUBLISHED_PACKAGES.find((pkg) => pkg.name === "@octo/logger") as PublishedPackage);
    const installed = await user.installedPackages();
    expect(installed.has("pino")).toBe(true);
    expect(installed.has("pino-pretty")).toBe(false);
  });

  it.each(byName)(
    "%s: every package its dist imports is declared, and every dependency is imported",
    async (_, pkg) => {
      const installedDir = join(project(pkg).dir, "node_modules", pkg.name);
      const manifest = JSON.parse(await readFile(join(installedDir, "package.json"), "utf8")) as Record<
        string,
        unknown
      >;
      const imported = await importedPackages(installedDir);
      const declared = declaredPackages(manifest);
      const undeclared = [...imported]
        .filter(([name]) => !declared.has(name))
        .map(([name, file]) => `${name} (${file})`);
      expect(undeclared, "imported but not in dependencies or peerDependencies").toEqual([]);
      const unused = Object.keys((manifest.dependencies as Record<string, string> | undefined) ?? {}).filter(
        (name) => !imported.has(name),
      );
      expect(unused, "in dependencies but never imported by dist").toEqual([]);
    },
  );

  it("@octo/logger: pretty: true without pino-pretty names the install command, and works once it is installed", async () => {
    const user = project(PUBLISHED_PACKAGES.find((pkg) => pkg.name === "@octo/logger") as PublishedPackage);
    const script = `
      const { Logger } = require("@octo/logger");
      try {
        new Logger({ name: "jobs", pretty: true }).info("readable");
      } catch (error) {
        console.log(JSON.stringify({ code: error.code, message: error.message }));
      }`;
    const missing = JSON.parse((await user.node(["-e", script])).stdout) as { code: string; message: string };
    expect(missing.code).toBe("ERR_OCTO_PINO_PRETTY_MISSING");
    expect(missing.message).toContain("npm install pino-pretty");
    // Without pretty: true, a missing pino-pretty is no error: JSON lines.
    const json = await user.node([
      "-e",
      `new (require("@octo/logger").Logger)({ name: "jobs" }).info("plain")`,
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: "jobs", msg: "plain" });

    await user.npm(["install", "pino-pretty"]);
    const esm = await user.node([
      "--input-type=module",
      "-e",
      `import { Logger } from "@octo/logger"; new Logger({ name: "jobs", pretty: true }).info("readable");`,
    ]);
    expect(esm.stdout).toMatch(/INFO.*\(jobs\).*readable|INFO.*readable/);
    expect(() => JSON.parse(esm.stdout)).toThrow();
  });
});

describe("the packed tarballs pass the package linters", () => {
  it.each(byName)("%s: publint --strict reports nothing", async (name) => {
    const publint = join(import.meta.dirname, "..", "node_modules", ".bin", "publint");
    const { stdout } = await runCommand(publint, ["run", "--strict", tarballs.get(name) as string], root);
    expect(stdout).toContain("All good!");
  });

  it.each(byName)("%s: @arethetypeswrong/cli finds no problem in any resolution mode", async (name) => {
    const attw = join(import.meta.dirname, "..", "node_modules", ".bin", "attw");
    const { stdout } = await runCommand(attw, ["--format", "ascii", tarballs.get(name) as string], root);
    expect(stdout).toContain("No problems found");
  });
});

describe("a runner app bundled to CommonJS with esbuild", () => {
  let redis: TestRedis;
  let user: NpmProject;

  beforeAll(async () => {
    redis = await startRedis();
    user = project(PUBLISHED_PACKAGES.find((pkg) => pkg.name === "@octo/runner") as PublishedPackage);
    await writeFile(join(user.dir, "tsconfig.json"), JSON.stringify(USER_TSCONFIG, null, 2));
    await writeFile(join(user.dir, "app.ts"), BUNDLED_APP_SOURCE);
  });

  afterAll(async () => {
    await redis?.stop();
  });

  async function bundle(outfile: string, external: string[]): Promise<string> {
    await build({
      absWorkingDir: user.dir,
      entryPoints: ["app.ts"],
      bundle: true,
      platform: "node",
      format: "cjs",
      outfile,
      external,
      logLevel: "silent",
    });
    return join(user.dir, outfile);
  }

  it("crashes at start when node-cron is bundled in (its ESM build reads import.meta.url), as the README warns", async () => {
    const app = await bundle("dist/bundled-all.cjs", []);
    const run = user.node([app], { REDIS_URL: redis.url });
    await expect(run).rejects.toThrow(/ERR_INVALID_ARG_TYPE|fileURLToPath/);
  });

  it("runs a job, with @inject constructor injection, when node-cron stays external as the README shows", async () => {
    const app = await bundle("dist/bundled.cjs", ["node-cron"]);
    const { stdout } = await user.node([app], { REDIS_URL: redis.url });
    expect(stdout.trim().split("\n")).toEqual(["hello from the bundle", "succeeded"]);
  });
});

describe("each README's quick start, compiled and run where its install line installed the package", () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startRedis();
    await Promise.all(
      [...projects.values()].map((user) => user.npm(["install", "--save-dev", ...USER_DEV_DEPENDENCIES])),
    );
  }, 300_000);

  afterAll(async () => {
    await redis?.stop();
  });

  it.each(byName)(
    "%s: compiles under strict with decorator metadata, runs against Redis and exits by itself",
    async (_, pkg) => {
      const user = project(pkg);
      for (const script of await compileQuickStarts(user, pkg)) {
        // Killed, and so failed, if it is still running after 30 s: a quick start must not hang.
        await user.node([script], { REDIS_URL: redis.url }, 30_000);
      }
    },
  );
});
