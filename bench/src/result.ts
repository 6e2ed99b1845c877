/** One line of the results table. */
export interface ResultRow {
  /** Scenario group, e.g. "queue". */
  scenario: string;
  /** Stable id, e.g. "queue.p10.octo". */
  id: string;
  /** What the row measures, e.g. "@octo/redis-queue, parallelism 10". */
  label: string;
  unit: string;
  /** One value per round; empty when not measured. */
  values: number[];
  /** Why there is no number, when there is none. */
  notMeasured?: string;
  /** Id of the peer row this one is compared with (ratio = this / peer). */
  peer?: string;
  /** Free text shown under the table (sizes, checks). */
  note?: string;
}

export function measured(base: Omit<ResultRow, "values" | "notMeasured">, values: number[]): ResultRow {
  return { ...base, values };
}

export function notMeasured(base: Omit<ResultRow, "values" | "notMeasured">, why: string): ResultRow {
  return { ...base, values: [], notMeasured: why };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Nearest-rank percentile of samples (p in 0..100). */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]?.slice(0, 200) ?? "unknown error";
}
