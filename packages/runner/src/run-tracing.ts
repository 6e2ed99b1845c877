import type { Telemetry } from "@octo/internal";
import type { RunTrigger } from "./types";

/** The span of one run: `octo.job.run`. */
export const JOB_RUN_SPAN = "octo.job.run";

/** The run a span describes. */
export interface RunTrace {
  job: string;
  scheduledAt: Date;
  trigger: RunTrigger;
  instance: string;
}

/**
 * Runs `body` inside the run's span when the runner has telemetry, else runs it as it is. `body`
 * reports each attempt it starts, so the span says how many ran. A `run()` joins the trace active
 * where it was called (a request's, say); a scheduled or catch-up run starts a new trace, rather
 * than joining whatever context was active when the runner started.
 */
export function traceRun(
  telemetry: Telemetry | undefined,
  run: RunTrace,
  body: (onAttempt: (attempt: number) => void) => Promise<void>,
): Promise<void> {
  if (!telemetry) return body(() => undefined);
  return telemetry.span(
    JOB_RUN_SPAN,
    {
      kind: "internal",
      ...(run.trigger === "run" ? {} : { parent: null }),
      attributes: {
        "octo.job.name": run.job,
        "octo.job.scheduled_at": run.scheduledAt.toISOString(),
        "octo.job.trigger": run.trigger,
        "octo.instance.id": run.instance,
      },
    },
    async (span) => {
      let attempts = 0;
      try {
        await body((attempt) => {
          attempts = attempt;
        });
      } catch (thrown) {
        span.setAttributes({ "octo.job.attempts": attempts, "octo.job.outcome": "failed" });
        span.recordError(thrown);
        throw thrown;
      }
      span.setAttributes({ "octo.job.attempts": attempts, "octo.job.outcome": "succeeded" });
    },
  );
}
