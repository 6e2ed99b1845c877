/** Which scenario groups exist, in the order they run. */
export const SCENARIOS = [
  "queue",
  "handler",
  "add",
  "floor",
  "fill",
  "memory",
  "latency",
  "locks",
  "scheduler",
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Run options, from `--flag value` arguments or `BENCH_*` environment variables. */
export interface BenchOptions {
  /** Rounds per measurement; the table shows their median and min–max. */
  rounds: number;
  /** Fraction of the full sizes (1 = 50,000 queue items, 1,000,000 generator items…). */
  scale: number;
  /** Scenario groups to run; all when empty. */
  only: ScenarioName[];
  /** Ticks observed per scheduler configuration (30 for the full run). */
  ticks: number;
  /** Rounds for the scheduler scenario, which takes `ticks` seconds per configuration. */
  schedulerRounds: number;
  /** Where RESULTS.md and results.json are written. */
  outDir: string;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv, defaultOutDir: string): BenchOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) continue;
    const [key, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    const value = inline ?? argv[i + 1];
    if (inline === undefined) i++;
    if (value === undefined) throw new Error(`option --${key} needs a value`);
    flags.set(key, value);
  }
  const read = (key: string) => flags.get(key) ?? env[`BENCH_${key.toUpperCase()}`];
  const num = (key: string, fallback: number, min: number) => {
    const raw = read(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min)
      throw new Error(`option --${key} must be a number >= ${min}, got "${raw}"`);
    return value;
  };
  const only = (read("only") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of only) {
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new Error(`option --only got "${name}"; known scenarios: ${SCENARIOS.join(", ")}`);
    }
  }
  const rounds = Math.floor(num("rounds", 3, 1));
  return {
    rounds,
    scale: num("scale", 1, 0.0001),
    only: only as ScenarioName[],
    ticks: Math.floor(num("ticks", 30, 2)),
    schedulerRounds: Math.floor(num("scheduler-rounds", 1, 1)),
    outDir: read("out") ?? defaultOutDir,
  };
}

/** `base × scale`, never below `min`, so tiny smoke runs still exercise every path. */
export function scaled(base: number, scale: number, min = 10): number {
  return Math.max(min, Math.round(base * scale));
}
