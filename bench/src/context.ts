import { fileURLToPath } from "node:url";
import { type NodeProcess, startNodeProcess } from "@octo/testing";
import type { BenchOptions } from "./options";
import type { BenchRedis } from "./redis";
import { errorText, measured, notMeasured, type ResultRow } from "./result";

export interface BenchContext {
  redis: BenchRedis;
  options: BenchOptions;
  log(message: string): void;
}

/** The no-op item every queue scenario moves, the same for us, BullMQ and the floors. */
export const item = (n: number) => ({ n });

/** For `measureRounds` rows whose rounds need no warm-up. */
export const NO_WARM_UP = { warmUp: false } as const;

/**
 * Runs `round` once per round with an empty Redis before each, and turns the values (or the
 * first error) into a row: a failure is reported as "not measured", never as a number. With
 * `warmUp` (the default) one more round runs first and is not recorded, for us and the peers
 * alike: a round of our queue lasts a fraction of a second, and the first one in a process
 * measures the JIT compiler and the connections being set up as much as the code. Rows whose
 * rounds run in fresh processes, or count rather than time, pass `warmUp: false`.
 */
export async function measureRounds(
  ctx: BenchContext,
  base: Omit<ResultRow, "values" | "notMeasured">,
  rounds: number,
  round: (index: number) => Promise<number>,
  { warmUp = true }: { warmUp?: boolean } = {},
): Promise<ResultRow> {
  const values: number[] = [];
  try {
    if (warmUp) {
      await ctx.redis.flush();
      await round(-1);
    }
    for (let i = 0; i < rounds; i++) {
      await ctx.redis.flush();
      const value = await round(i);
      if (!Number.isFinite(value)) throw new Error(`round ${i + 1} gave no number (${value})`);
      values.push(value);
    }
    ctx.log(`${base.id}: ${values.map((v) => v.toFixed(v < 100 ? 2 : 0)).join(", ")} ${base.unit}`);
    return measured(base, values);
  } catch (error) {
    ctx.log(`${base.id}: not measured: ${errorText(error)}`);
    return notMeasured(base, `failed: ${errorText(error)}`);
  }
}

const childrenDir = fileURLToPath(new URL("./children/", import.meta.url));

/** Starts a child benchmark process (TypeScript through tsx). */
export function startChild(name: string, env: Record<string, string>): NodeProcess {
  return startNodeProcess(`${childrenDir}${name}.ts`, { env });
}

/** Waits for a child's `done {json}` line and returns the JSON, or throws with its output tail. */
export async function childResult<T>(child: NodeProcess, timeoutMs: number): Promise<T> {
  try {
    const line = await Promise.race([
      child.waitFor(/^done /, timeoutMs),
      child.exited.then((code) => {
        // The done line may arrive in the same chunk as the exit.
        const done = child
          .output()
          .split("\n")
          .find((l) => l.startsWith("done "));
        if (done) return done;
        throw new Error(`exited with ${code}`);
      }),
    ]);
    return JSON.parse(line.slice(5)) as T;
  } catch (error) {
    const tail = child.output().trim().split("\n").slice(-3).join(" | ");
    throw new Error(`child ${child.pid} ${errorText(error)}: ${tail}`);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
