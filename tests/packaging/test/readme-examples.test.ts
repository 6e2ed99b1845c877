import { execFile } from "node:child_process";
import { copyFile, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startRedis, type TestRedis } from "@octo/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReadmeCodeBlock, readmeCodeBlocks, readmePaths } from "./readme-code-blocks";

/**
 * Every ```ts block of every README, compiled as a user's project would compile it: `strict`,
 * `experimentalDecorators` and `emitDecoratorMetadata`, importing the built workspace packages.
 * The quick starts (```ts run) then run against Redis and must exit by themselves.
 */
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const TSC = join(PACKAGE_DIR, "node_modules", "typescript", "bin", "tsc");

const blocks = readmePaths().flatMap(readmeCodeBlocks);
const checked = blocks.filter((block) => block.kind !== "fragment");
const runnable = blocks.filter((block) => block.kind === "run");

/** A file name that says where the block is: `packages-runner-README.md-L12.ts`. */
function fileOf(block: ReadmeCodeBlock): string {
  return `${block.readme.replaceAll("/", "-")}-L${block.line}.ts`;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number | null; output: string; timedOut: boolean }>((resolve) => {
    execFile(
      command,
      args,
      { cwd, env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const timedOut = error !== null && (error as { killed?: boolean }).killed === true;
        resolve({
          code: error ? ((error as { code?: number }).code ?? 1) : 0,
          output: `${stdout}${stderr}`,
          timedOut,
        });
      },
    );
  });
}

let project: string;
let compile: { code: number | null; output: string };

beforeAll(async () => {
  const started = Date.now();
  project = await mkdtemp(join(tmpdir(), "octo-readme-examples-"));
  // The examples import the workspace packages (and ioredis, inversify, pino) as a user's project would.
  await symlink(join(PACKAGE_DIR, "node_modules"), join(project, "node_modules"), "dir");
  await writeFile(join(project, "package.json"), JSON.stringify({ type: "module", private: true }));
  await copyFile(
    join(PACKAGE_DIR, "test", "readme-placeholders.d.ts"),
    join(project, "readme-placeholders.d.ts"),
  );
  for (const block of checked) {
    // A block without import or export would be a script sharing one scope with the others.
    const isModule = /^\s*(import|export)\s/m.test(block.code);
    await writeFile(
      join(project, fileOf(block)),
      isModule ? `${block.code}\n` : `${block.code}\nexport {};\n`,
    );
  }
  const tsconfig = {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2023"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      skipLibCheck: true,
      types: ["node"],
      outDir: "out",
      rootDir: ".",
    },
    include: ["*.ts"],
  };
  await writeFile(join(project, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  compile = await run(process.execPath, [TSC, "-p", "tsconfig.json"], project);
  console.log(
    `README examples: type-checked ${checked.length} \`\`\`ts blocks of ${readmePaths().length} READMEs ` +
      `(${runnable.length} quick starts to run), skipped ${blocks.length - checked.length} fragments, in ${Date.now() - started} ms`,
  );
}, 120_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe("README examples", () => {
  it("every ```ts block that is not marked fragment compiles under strict with decorator metadata", () => {
    expect(checked.length).toBeGreaterThan(0);
    // tsc names each file after its README and first line, e.g. packages-runner-README.md-L12.ts(5,3).
    expect(compile.output, "tsc found errors in README examples").toBe("");
    expect(compile.code).toBe(0);
  });

  it("each published package's README has a quick start that runs", () => {
    const withQuickStart = new Set(runnable.map((block) => block.readme));
    for (const pkg of ["decorators", "logger", "redis-lock", "redis-queue", "runner"]) {
      expect(withQuickStart, `packages/${pkg}/README.md has no \`\`\`ts run block`).toContain(
        `packages/${pkg}/README.md`,
      );
    }
  });

  describe("quick starts run against Redis and exit by themselves", () => {
    let redis: TestRedis;

    beforeAll(async () => {
      redis = await startRedis();
    });

    afterAll(async () => {
      await redis?.stop();
    });

    it.each(runnable.map((block) => [`${block.readme}:${block.line}`, block] as const))(
      "%s",
      async (_, block) => {
        expect(compile.code, "the examples did not compile").toBe(0);
        const script = join(project, "out", fileOf(block).replace(/\.ts$/, ".js"));
        // Without the NODE_PATH of pnpm's bin shims: only the temporary project's node_modules resolve.
        const { NODE_PATH: _nodePath, ...env } = process.env;
        const result = await run(process.execPath, [script], project, { ...env, REDIS_URL: redis.url });
        expect(result.timedOut, `did not exit within 60 s:\n${result.output}`).toBe(false);
        expect(result.code, result.output).toBe(0);
      },
    );
  });
});
