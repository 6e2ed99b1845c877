import type { Counter, Histogram } from "prom-client";
import type { EventSource, MeasuredQueue, MeasuredRunner } from "./metrics-options";

/** The fields of the runner's events that the metrics read (see the events contract). */
interface RunnerEventsRead {
  "run:started": { job: string; scheduledAt: Date; trigger: string; startedAt: Date };
  "run:finished": { job: string; outcome: string; durationMs: number };
  "tick:skipped": { job: string };
  "tick:crashed": { job: string };
  "tick:missed": { job: string; count: number };
}

/** The fields of the item events (of a queue, or forwarded by the runner) that the metrics read. */
interface ItemEventsRead {
  "item:processed": { queue: string };
  "item:failed": { queue: string };
  "item:dead-lettered": { queue: string; reason: string };
  "item:stalled": { queue: string };
}

type TypedSource<Events> = {
  on<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): unknown;
  off?(event: string, listener: (payload: never) => void): unknown;
};

/** The counters and histograms that events feed. */
export interface EventMetrics {
  runs: Counter<"job" | "outcome">;
  runDuration: Histogram<"job" | "outcome">;
  fireLag: Histogram<"job">;
  missedTicks: Counter<"job">;
  itemsProcessed: Counter<"queue">;
  itemsFailed: Counter<"queue">;
  itemsDeadLettered: Counter<"queue" | "reason">;
  itemsStalled: Counter<"queue">;
}

/**
 * Subscribes the metrics to the runner's and the queues' events; returns the function that
 * unsubscribes every listener it added. Listeners only count: they never throw on a payload
 * they do not expect, so a newer runner cannot break a run through them.
 */
export function countEvents(
  metrics: EventMetrics,
  runner: MeasuredRunner | undefined,
  queues: readonly MeasuredQueue[],
): () => void {
  const unsubscribes: (() => void)[] = [];
  const listen = <Events, K extends keyof Events & string>(
    source: EventSource,
    event: K,
    listener: (payload: Events[K]) => void,
  ) => {
    const typed = source as unknown as TypedSource<Events>;
    const returned = typed.on(event, listener);
    unsubscribes.push(
      typeof returned === "function"
        ? (returned as () => void)
        : () => typed.off?.(event, listener as (payload: never) => void),
    );
  };

  if (runner) {
    listen<RunnerEventsRead, "run:started">(runner, "run:started", (e) => {
      // Lag is the delay of a scheduled fire; run() and catch-up runs start when asked, not at T.
      if (e.trigger !== "schedule") return;
      const lagMs = e.startedAt.getTime() - e.scheduledAt.getTime();
      if (Number.isFinite(lagMs)) metrics.fireLag.observe({ job: e.job }, Math.max(0, lagMs) / 1000);
    });
    listen<RunnerEventsRead, "run:finished">(runner, "run:finished", (e) => {
      metrics.runs.inc({ job: e.job, outcome: e.outcome });
      if (Number.isFinite(e.durationMs)) {
        metrics.runDuration.observe({ job: e.job, outcome: e.outcome }, e.durationMs / 1000);
      }
    });
    listen<RunnerEventsRead, "tick:skipped">(runner, "tick:skipped", (e) =>
      metrics.runs.inc({ job: e.job, outcome: "skipped" }),
    );
    listen<RunnerEventsRead, "tick:crashed">(runner, "tick:crashed", (e) =>
      metrics.runs.inc({ job: e.job, outcome: "crashed" }),
    );
    listen<RunnerEventsRead, "tick:missed">(runner, "tick:missed", (e) => {
      if (Number.isFinite(e.count) && e.count > 0) metrics.missedTicks.inc({ job: e.job }, e.count);
    });
  }
  for (const source of [...(runner ? [runner] : []), ...queues]) {
    listen<ItemEventsRead, "item:processed">(source, "item:processed", (e) =>
      metrics.itemsProcessed.inc({ queue: e.queue }),
    );
    listen<ItemEventsRead, "item:failed">(source, "item:failed", (e) =>
      metrics.itemsFailed.inc({ queue: e.queue }),
    );
    listen<ItemEventsRead, "item:dead-lettered">(source, "item:dead-lettered", (e) =>
      metrics.itemsDeadLettered.inc({ queue: e.queue, reason: e.reason }),
    );
    listen<ItemEventsRead, "item:stalled">(source, "item:stalled", (e) =>
      metrics.itemsStalled.inc({ queue: e.queue }),
    );
  }
  return () => {
    for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
  };
}
