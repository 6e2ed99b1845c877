import { readdirSync, readFileSync } from "node:fs";
import { REPO_ROOT } from "./published-packages";

/** One ```ts block of a README. */
export interface ReadmeCodeBlock {
  /** README path relative to the repository root. */
  readonly readme: string;
  /** 1-based line of the block's first code line in the README. */
  readonly line: number;
  readonly code: string;
  /**
   * `check`: type-checked (```ts); `run`: type-checked, then run against Redis and must exit by
   * itself (```ts run, each package's quick start); `fragment`: skipped (```ts fragment: a
   * signature or a snippet that continues the block before it).
   */
  readonly kind: "check" | "run" | "fragment";
}

/** The root README, every package's and every app's: the READMEs a user reads. */
export function readmePaths(): string[] {
  const paths = ["README.md"];
  for (const parent of ["packages", "apps"]) {
    for (const entry of readdirSync(`${REPO_ROOT}${parent}`, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = `${parent}/${entry.name}/README.md`;
      try {
        readFileSync(`${REPO_ROOT}${path}`);
        paths.push(path);
      } catch {
        // A package without a README has no examples.
      }
    }
  }
  return paths;
}

const KINDS = new Set(["run", "fragment"]);

/** Every ```ts (or ```typescript) block of `readme`, in order. */
export function readmeCodeBlocks(readme: string): ReadmeCodeBlock[] {
  const lines = readFileSync(`${REPO_ROOT}${readme}`, "utf8").split("\n");
  const blocks: ReadmeCodeBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const fence = /^```(\S*)\s*(.*)$/.exec(lines[index] ?? "");
    if (!fence) continue;
    const end = lines.findIndex((text, at) => at > index && text.startsWith("```"));
    if (end === -1) throw new Error(`${readme}:${index + 1}: a code block that never closes`);
    const [, language, info] = fence;
    if (language === "ts" || language === "typescript") {
      const word = (info ?? "").trim();
      if (word !== "" && !KINDS.has(word)) {
        throw new Error(
          `${readme}:${index + 1}: unknown code block kind "${word}" (use "run" or "fragment")`,
        );
      }
      blocks.push({
        readme,
        line: index + 2,
        code: lines.slice(index + 1, end).join("\n"),
        kind: word === "" ? "check" : (word as "run" | "fragment"),
      });
    }
    index = end;
  }
  return blocks;
}
