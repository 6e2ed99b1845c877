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
  base: RowBase,
  rounds: number,
  round: (index: number) => Promise<number>,
  { warmUp = true }: { warmUp?: boolean } = {},
): Promise<ResultRow> {
  const side = new Side({ base, round });
  if (warmUp) await side.run(ctx, -1);
  for (let i = 0; i < rounds; i++) await side.run(ctx, i);
  return side.row(ctx);
}

/** A row's description: everything but its values. */
export type RowBase = Omit<ResultRow, "values" | "notMeasured">;

/** One side of a comparison: its row and how to measure one round of it. */
export interface Measured {
  base: RowBase;
  round: (index: number) => Promise<number>;
}

/** The values of one row as its rounds run; after the first failure its rounds are skipped. */
class Side {
  private readonly values: number[] = [];
  private failure?: { error: unknown };

  constructor(private readonly what: Measured) {}

  /** Runs round `index` (-1: the warm-up, not recorded) with an empty Redis. Never rejects. */
  async run(ctx: BenchContext, index: number): Promise<void> {
    if (this.failure) return;
    try {
      await ctx.redis.flush();
      const value = await this.what.round(index);
      if (!Number.isFinite(value)) throw new Error(`round ${index + 1} gave no number (${value})`);
      if (index >= 0) this.values.push(value);
    } catch (error) {
      this.failure = { error };
    }
  }

  /** The row: the values, or "not measured" with the first error, never a number from a failure. */
  row(ctx: BenchContext): ResultRow {
    const { base } = this.what;
    if (this.failure) {
      const text = errorText(this.failure.error);
      ctx.log(`${base.id}: not measured: ${text}`);
      return notMeasured(base, `failed: ${text}`);
    }
    ctx.log(`${base.id}: ${this.values.map((v) => v.toFixed(v < 100 ? 2 : 0)).join(", ")} ${base.unit}`);
    return measured(base, this.values);
  }
}

/**
 * Measures our row and its peer's round by round in turn (after the warm-ups: peer then ours,
 * then ours then peer, and so on), each round on an empty Redis, instead of all of one's rounds
 * and then all of the other's. On a machine whose speed drifts within minutes (a shared VM),
 * both then meet the same conditions, and the ratio compares like with like. `ours` may be a
 * row already "not measured" (its package did not load); the peer is then measured alone.
 * Answers [ours, peer].
 */
export async function measurePair(
  ctx: BenchContext,
  ours: Measured | ResultRow,
  peer: Measured,
  rounds: number,
  { warmUp = true }: { warmUp?: boolean } = {},
): Promise<[ResultRow, ResultRow]> {
  if (!("round" in ours)) return [ours, await measureRounds(ctx, peer.base, rounds, peer.round, { warmUp })];
  const us = new Side(ours);
  const them = new Side(peer);
  if (warmUp) {
    await us.run(ctx, -1);
    await them.run(ctx, -1);
  }
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? [them, us] : [us, them];
    for (const side of order) await side.run(ctx, i);
  }
  return [us.row(ctx), them.row(ctx)];
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
