import { randomUUID } from "node:crypto";
import { defineScripts } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";
import type { StateKeys } from "./keys";
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

type WithScript = { octoRunRequest(...args: (string | number)[]): Promise<number> };

const SCRIPTS = { octoRunRequest: { lua: runRequestScript, numberOfKeys: 2 } };

/**
 * Files a request that one running instance of the job runs it once: `RPUSH` onto
 * `<prefix>:run-requests:{<job>}` and `PUBLISH <prefix>:run-requests <job>`, in one script. The
 * runner's `run-requests.ts` takes it.
 */
export async function requestRun(redis: Redis | Cluster, keys: StateKeys, job: string): Promise<RunRequest> {
  const request: RunRequest = { id: randomUUID(), job, requestedAt: Date.now() };
  const list = keys.runRequests(job);
  await (defineScripts(redis, SCRIPTS) as unknown as WithScript).octoRunRequest(
    list,
    `${list}:sent:${request.id}`,
    JSON.stringify(request),
    keys.runRequestsChannel,
    job,
    SENT_MARKER_MS,
  );
  return request;
}
