import { randomUUID } from "node:crypto";
import { hashTag } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import runRequestScript from "./run-request.lua";

/** What one "run now" request carries; a runner reads it from the list. */
export interface RunRequest {
  id: string;
  job: string;
  /** Milliseconds since the epoch. */
  requestedAt: number;
}

/** The markers that keep a re-sent request from being filed twice outlive any ioredis retry. */
const SENT_MARKER_MS = 5 * 60_000;

type WithScript = { octoDashboardRunRequest(...args: (string | number)[]): Promise<number> };

/**
 * Files a request that one running instance of the job runs it once: `RPUSH` onto
 * `<prefix>:run-requests:{<job>}` and `PUBLISH <prefix>:run-requests <job>`, in one script.
 */
export async function requestRun(redis: Redis | Cluster, prefix: string, job: string): Promise<RunRequest> {
  if (!("octoDashboardRunRequest" in redis)) {
    redis.defineCommand("octoDashboardRunRequest", { lua: runRequestScript, numberOfKeys: 2 });
  }
  const request: RunRequest = { id: randomUUID(), job, requestedAt: Date.now() };
  const list = `${prefix}:run-requests:${hashTag(job)}`;
  await (redis as unknown as WithScript).octoDashboardRunRequest(
    list,
    `${list}:sent:${request.id}`,
    JSON.stringify(request),
    `${prefix}:run-requests`,
    job,
    SENT_MARKER_MS,
  );
  return request;
}
