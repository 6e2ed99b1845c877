import type { Job } from "./job-table";
import type { QueueWorkers } from "./queue-workers";
import type { JobSchedules } from "./schedule";

/**
 * The controllers of the runs in progress on this instance: `stop()` aborts each, and a run that
 * enters once a stop was asked is aborted at once. One set of controllers instead of one listener
 * per run on a shared signal: any number of concurrent runs, no MaxListenersExceededWarning.
 */
export class ActiveRuns {
  private readonly controllers = new Set<AbortController>();

  constructor(private readonly stopRequested: () => boolean) {}

  /** Registers a run's controller; answers the function that unregisters it. */
  enter(controller: AbortController): () => void {
    if (this.stopRequested()) controller.abort(new Error("runner stopped"));
    this.controllers.add(controller);
    return () => this.controllers.delete(controller);
  }

  abortAll(): void {
    for (const controller of this.controllers) controller.abort(new Error("runner stopped"));
  }
}

/**
 * Stops the jobs of `list` on this instance: no fire from now on, their queue workers finish the
 * items in hand and take no more. Resolves when those workers and the jobs' runs in progress have
 * finished; never rejects for a run (runs own their failures).
 */
export async function stopJobs(
  list: Job[],
  schedules: JobSchedules | undefined,
  workers: QueueWorkers | undefined,
): Promise<void> {
  for (const job of list) job.stopped = true;
  await schedules?.stop(list.map((j) => j.def.fullName));
  await Promise.all([
    workers?.stop(list.map((j) => j.def)),
    ...list.flatMap((j) => [...j.runs].map((p) => p.catch(() => undefined))),
  ]);
}
