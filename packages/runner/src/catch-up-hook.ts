import type { JobDefinition } from "@octo/decorators";
import { describeThrown } from "@octo/internal";
import { catchUpOne } from "./catch-up";
import type { RunHost } from "./job-run";
import { recordCrashes } from "./lost-ticks";
import type { RunResult } from "./types";

/** What the start-up crash check and the catch-ups need from the runner. */
export interface CatchUpHookHost {
  /** The runner's Redis, keys and logger as a run sees them (after start). */
  runHost(): RunHost;
  /** Whether `def` still runs here: its job not stopped and the runner running. */
  active(def: JobDefinition): boolean;
  /** Claims T through the job's catch-up mark and runs it, tracked like any run. */
  runLate(def: JobDefinition, T: number): Promise<RunResult>;
}

/**
 * Where missed and crashed ticks are looked for outside a claim: once at start (runs whose
 * claimer died while no instance was up to look are recorded crashed, then a job with catchUp
 * takes one due tick), and after each claim of a job with catchUp. At most one catch-up per job at
 * a time on this instance; the next claim starts the next one.
 */
export class CatchUpHook {
  private readonly catchingUp = new Set<string>();

  constructor(private readonly host: CatchUpHookHost) {}

  /** Records the crashes of each job's runs, then catches up. Never rejects: failures are logged. */
  afterStart(defs: Iterable<JobDefinition>): void {
    const runHost = this.host.runHost();
    for (const def of defs) {
      void recordCrashes(runHost, def)
        .then(() => this.catchUp(def))
        .catch((err: unknown) =>
          runHost.logger.error({ job: def.fullName, err: describeThrown(err) }, "could not catch up"),
        );
    }
  }

  /** Runs at most one due missed or crashed tick of `def` late (a job with catchUp only). */
  catchUp(def: JobDefinition): void {
    if (!def.config.catchUp || this.catchingUp.has(def.fullName) || !this.host.active(def)) return;
    this.catchingUp.add(def.fullName);
    const runHost = this.host.runHost();
    void catchUpOne(
      {
        redis: runHost.redis,
        keys: runHost.keys,
        logger: runHost.logger,
        historyLimit: runHost.historyLimit,
        runLate: (late, T) => this.host.runLate(late, T),
        active: (late) => this.host.active(late),
      },
      def,
    ).finally(() => this.catchingUp.delete(def.fullName));
  }
}
