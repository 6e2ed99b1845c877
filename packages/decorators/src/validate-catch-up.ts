import { InvalidJobConfigError } from "./errors";
import type { JobConfig, ResolvedCatchUp } from "./types";
import { show } from "./validate";

const DEFAULT_MAX = 10;

/**
 * Validates `catchUp` and `rerunCrashed`; answers the resolved fields to add (none when catch-up
 * is off), or throws InvalidJobConfigError naming the option and what to write.
 */
export function resolveCatchUp(
  config: JobConfig,
  at: string,
  duration: (value: unknown, option: string) => number,
): { catchUp?: ResolvedCatchUp; rerunCrashed?: boolean } {
  const { catchUp, rerunCrashed } = config;
  if (rerunCrashed !== undefined && typeof rerunCrashed !== "boolean") {
    throw new InvalidJobConfigError(`${at} has rerunCrashed ${show(rerunCrashed)}: expected true or false`);
  }
  if (catchUp === undefined) {
    if (rerunCrashed) {
      throw new InvalidJobConfigError(
        `${at} has rerunCrashed true without catchUp: add catchUp: { window: "6h", runs: "latest" } to say how far back crashed ticks run again`,
      );
    }
    return {};
  }
  if (catchUp === null || typeof catchUp !== "object") {
    throw new InvalidJobConfigError(
      `${at} has catchUp ${show(catchUp)}: expected an object such as { window: "6h", runs: "latest" }`,
    );
  }
  for (const key of Object.keys(catchUp)) {
    if (!["window", "runs", "max"].includes(key)) {
      throw new InvalidJobConfigError(
        `${at} has unknown catchUp option ${show(key)}: expected window, runs or max`,
      );
    }
  }
  const windowMs = duration(catchUp.window, "catchUp.window");
  if (catchUp.runs !== "latest" && catchUp.runs !== "all") {
    throw new InvalidJobConfigError(
      `${at} has catchUp.runs ${show(catchUp.runs)}: expected "latest" or "all"`,
    );
  }
  const max = catchUp.max ?? DEFAULT_MAX;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new InvalidJobConfigError(`${at} has catchUp.max ${show(catchUp.max)}: expected an integer ≥ 1`);
  }
  if (catchUp.max !== undefined && catchUp.runs === "latest") {
    throw new InvalidJobConfigError(
      `${at} has catchUp.max with runs "latest", which runs one tick: drop max, or use runs: "all"`,
    );
  }
  return {
    catchUp: { windowMs, runs: catchUp.runs, max: catchUp.runs === "latest" ? 1 : max },
    ...(rerunCrashed ? { rerunCrashed: true } : {}),
  };
}
