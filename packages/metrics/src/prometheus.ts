import { InvalidArgumentError } from "@octo/internal";
import { RedisQueue } from "@octo/redis-queue";
import type { Metric } from "prom-client";
import { countEvents, type EventMetrics } from "./metrics-events";
import { type MetricsOptions, type ResolvedMetricsOptions, resolveMetricsOptions } from "./metrics-options";
import { type DepthGauges, type DepthSource, QueueDepth } from "./metrics-queue-depth";
import { promClient } from "./prometheus-client";

/** What {@link registerMetrics} returns. */
export interface MetricsHandle {
  /** Names of the metrics it registered, such as `octo_job_runs_total`. */
  readonly metricNames: readonly string[];
  /**
   * Removes every listener it added and every metric it registered from the registry. Calling it
   * again does nothing.
   */
  unregister(): void;
}

const RUN_OUTCOMES = ["succeeded", "failed", "skipped", "crashed"] as const;

/**
 * Adds Octo Jobs' Prometheus metrics to a prom-client registry: counters and histograms fed by
 * the runner's and the queues' events, and queue depth gauges read from Redis at each scrape.
 * Throws `InvalidArgumentError` (code `ERR_OCTO_INVALID_ARGUMENT`) for an unusable option or a
 * registry that already holds metrics of these names, and `MissingPeerDependencyError` when
 * prom-client is not installed. See the README's "Prometheus" section for every metric.
 */
export function registerMetrics(options: MetricsOptions): MetricsHandle {
  const resolved = resolveMetricsOptions(options);
  const client = promClient();
  const registry = resolved.registry ?? client.register;
  const names = metricNames(resolved.prefix);
  const taken = Object.values(names).filter((name) => registry.getSingleMetric(name) !== undefined);
  if (taken.length > 0) {
    throw new InvalidArgumentError(
      "options.registry",
      registry,
      `options.registry already has ${taken.join(", ")}: call unregister() on the handle of the earlier registerMetrics, or pass another registry or prefix`,
    );
  }

  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new client.Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, collect?: () => Promise<void>) =>
    new client.Gauge<L>({
      name,
      help,
      labelNames: ["queue"] as L[],
      registers,
      ...(collect ? { collect } : {}),
    });

  const events: EventMetrics = {
    runs: counter(names.runs, "Runs of each job by outcome (succeeded, failed, skipped, crashed).", [
      "job",
      "outcome",
    ]),
    runDuration: new client.Histogram({
      name: names.runDuration,
      help: "Duration of each run in seconds, from its start to its outcome.",
      labelNames: ["job", "outcome"],
      buckets: resolved.durationBuckets,
      registers,
    }),
    fireLag: new client.Histogram({
      name: names.fireLag,
      help: "Seconds from a scheduled tick's time T to the start of its run.",
      labelNames: ["job"],
      buckets: resolved.lagBuckets,
      registers,
    }),
    missedTicks: counter(names.missedTicks, "Ticks of each job that no instance claimed.", ["job"]),
    itemsProcessed: counter(names.itemsProcessed, "Queue items whose handler resolved.", ["queue"]),
    itemsFailed: counter(names.itemsFailed, "Queue item attempts that failed and will be retried.", [
      "queue",
    ]),
    itemsDeadLettered: counter(names.itemsDeadLettered, "Queue items moved to the dead letter, by reason.", [
      "queue",
      "reason",
    ]),
    itemsStalled: counter(names.itemsStalled, "Queue items taken again after their lease ran out.", [
      "queue",
    ]),
  };

  let depth: QueueDepth | undefined;
  const collect = () => (depth as QueueDepth).refresh();
  const gauges: DepthGauges = {
    pending: gauge(names.pending, "Items waiting to be taken, read from Redis at scrape time.", collect),
    inFlight: gauge(
      names.inFlight,
      "Items taken by a worker and not yet finished, read at scrape time.",
      collect,
    ),
    delayed: gauge(
      names.delayed,
      "Items waiting for their delay or retry backoff, read at scrape time.",
      collect,
    ),
    dead: gauge(names.dead, "Items in the dead letter, read at scrape time.", collect),
    oldestPendingAge: gauge(
      names.oldestPendingAge,
      "Seconds the head of pending has waited since it became due; 0 when nothing is pending.",
      collect,
    ),
    up: gauge(
      names.up,
      "1 when this scrape read the queue's counts from Redis, 0 when it could not.",
      collect,
    ),
  };
  const sources = depthSources(resolved);
  depth = new QueueDepth(gauges, sources, resolved.statsTimeoutMs, resolved.logger);

  startAtZero(events, resolved, sources);
  const stopCounting = countEvents(events, resolved.runner, resolved.queues);
  const metrics: Metric[] = [...Object.values(events), ...Object.values(gauges)];

  let registered = true;
  return {
    metricNames: Object.values(names),
    unregister() {
      if (!registered) return;
      registered = false;
      stopCounting();
      for (const metric of metrics) {
        const { name } = metric as unknown as { name: string };
        // Only our own metric: the name may have been freed and taken by someone else since.
        if (registry.getSingleMetric(name) === metric) registry.removeSingleMetric(name);
      }
    },
  };
}

/** Every metric's full name. */
function metricNames(prefix: string) {
  return {
    runs: `${prefix}job_runs_total`,
    runDuration: `${prefix}job_run_duration_seconds`,
    fireLag: `${prefix}job_fire_lag_seconds`,
    missedTicks: `${prefix}job_missed_ticks_total`,
    itemsProcessed: `${prefix}queue_items_processed_total`,
    itemsFailed: `${prefix}queue_items_failed_total`,
    itemsDeadLettered: `${prefix}queue_items_dead_lettered_total`,
    itemsStalled: `${prefix}queue_items_stalled_total`,
    pending: `${prefix}queue_pending_items`,
    inFlight: `${prefix}queue_in_flight_items`,
    delayed: `${prefix}queue_delayed_items`,
    dead: `${prefix}queue_dead_items`,
    oldestPendingAge: `${prefix}queue_oldest_pending_age_seconds`,
    up: `${prefix}queue_stats_up`,
  };
}

/**
 * The queues gauged: every queue passed, then each query job's queue of the runner that no
 * passed queue already names, read on `redis` under the runner's prefix.
 */
function depthSources(options: ResolvedMetricsOptions): DepthSource[] {
  const sources: DepthSource[] = [...options.queues];
  const named = new Set(sources.map((queue) => queue.name));
  for (const name of options.runner?.queueNames ?? []) {
    if (named.has(name)) continue;
    named.add(name);
    sources.push(new RedisQueue(name, options.redis, { prefix: options.runner?.prefix }));
  }
  return sources;
}

/** Series at 0 for every known job and queue, so rates and alerts work before the first event. */
function startAtZero(metrics: EventMetrics, options: ResolvedMetricsOptions, sources: DepthSource[]): void {
  for (const job of options.runner?.jobNames ?? []) {
    for (const outcome of RUN_OUTCOMES) metrics.runs.inc({ job, outcome }, 0);
    metrics.missedTicks.inc({ job }, 0);
  }
  for (const { name: queue } of sources) {
    metrics.itemsProcessed.inc({ queue }, 0);
    metrics.itemsFailed.inc({ queue }, 0);
    metrics.itemsStalled.inc({ queue }, 0);
  }
}
