import { defineScripts } from "@octo/internal";
import { StateKeys } from "@octo/state";
import type { Cluster, Redis } from "ioredis";
import claimTickScript from "./claim-tick.lua";

type ClaimCommands = {
  octoClaimTick(
    mark: string,
    tick: string,
    running: string,
    T: number,
    instance: string,
    ttl: number,
    runId: string,
    record: string,
    catchUp: "1" | "0",
  ): Promise<[number, string]>;
};

/**
 * Every key and lock name the runner writes, in one place; the README's "Data in Redis" lists
 * them. The ones the dashboard and the CLI read too (jobs, job, history, run requests) come from
 * `StateKeys`.
 */
export class RunnerKeys extends StateKeys {
  /**
   * Hash: the job's high-water mark, the latest claimed tick T, its claimer, and the mark before
   * it. Never expires: it is what makes a tick run once.
   */
  mark(name: string): string {
    return `${this.prefix}:mark:{${name}}`;
  }

  /**
   * Hash: the job's catch-up mark, the latest missed or crashed tick taken to run late, its
   * taker and the mark before; a tick is taken iff it is later (the same script as the claims).
   */
  catchUpMark(name: string): string {
    return `${this.prefix}:catchup:{${name}}`;
  }

  /** Record of who claimed the fire at T (ms); expires, never deleted. */
  tick(name: string, T: number): string {
    return `${this.prefix}:tick:{${name}}:${T}`;
  }

  /** Hash: run id -> JSON record of each run in progress (removed when its outcome is recorded). */
  running(name: string): string {
    return `${this.prefix}:running:{${name}}`;
  }

  /** Sorted set: T of the latest claims whose gap of missed ticks was recorded (the last 100). */
  gaps(name: string): string {
    return `${this.prefix}:gaps:{${name}}`;
  }

  /** T (ms) of the fire whose query last filled the job's queue; same slot as the queue. */
  fill(name: string): string {
    return `${this.prefix}:fill:{${name}}`;
  }

  /** JSON `{ T, carrier }`: the trace context of the run whose query filled the queue at T. */
  fillTrace(name: string): string {
    return `${this.prefix}:fill:{${name}}:trace`;
  }

  /** The run lease's key, holding the owner (the run id): @octo/redis-lock's `<prefix>:lock:{<name>}`. */
  runLeaseKey(name: string): string {
    return `${this.prefix}:lock:{${this.runLease(name)}}`;
  }

  /** Name of the run lease in @octo/redis-lock (its key is `<prefix>:lock:{job:<name>}`). */
  runLease(name: string): string {
    return `job:${name}`;
  }
}

const CLAIM_SCRIPTS = { octoClaimTick: { numberOfKeys: 3, lua: claimTickScript } };

/** The claim script on `redis`, defined once (see defineScripts). */
function claimScripts(redis: Redis | Cluster): ClaimCommands {
  return defineScripts(redis, CLAIM_SCRIPTS) as unknown as ClaimCommands;
}

/** Defines the claim script on `redis` before the first tick needs it. */
export function defineClaimCommand(redis: Redis | Cluster): void {
  claimScripts(redis);
}

/** What a claim answered: whether this instance holds T, and the job's mark before the claim. */
export interface TickClaim {
  claimed: boolean;
  /** The mark before this claim (when claimed) or the mark that beat it (when not); null if none. */
  mark: number | null;
}

/**
 * Claims tick T of a job for `instanceId` by advancing the job's mark: claimed by exactly one
 * instance, and never again once a later tick was claimed. A re-send after a lost reply answers
 * the same, so the winner still runs the tick. With `catchUp`, the tick (missed or crashed) is
 * taken to run late through the job's catch-up mark instead. The claim writes the run's in-progress `record`
 * under `runId` in the same step.
 */
export async function claimTick(
  redis: Redis | Cluster,
  keys: RunnerKeys,
  job: string,
  catchUp: boolean,
  T: number,
  instanceId: string,
  recordTtlMs: number,
  runId: string,
  record: string,
): Promise<TickClaim> {
  const [claimed, mark] = await claimScripts(redis).octoClaimTick(
    catchUp ? keys.catchUpMark(job) : keys.mark(job),
    catchUp ? `${keys.tick(job, T)}:catch-up` : keys.tick(job, T),
    keys.running(job),
    T,
    instanceId,
    recordTtlMs,
    runId,
    record,
    catchUp ? "1" : "0",
  );
  return { claimed: claimed === 1, mark: mark === "" || mark === null ? null : Number(mark) };
}
