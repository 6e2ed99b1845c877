import type { Cluster, Redis } from "ioredis";
import claimTickScript from "./claim-tick.lua";

type ClaimCommands = {
  octoClaimTick(key: string, instance: string, ttl: number): Promise<number>;
};

/** Every key and lock name the runner writes, in one place; the README's "Data in Redis" lists them. */
export class RunnerKeys {
  constructor(readonly prefix: string) {}

  /** Set of every job name any instance scheduled. */
  get jobs(): string {
    return `${this.prefix}:jobs`;
  }

  /** Hash: schedule, timezone, last run. */
  job(name: string): string {
    return `${this.prefix}:job:{${name}}`;
  }

  /** Claim of one fire at T (ms); expires, never deleted. */
  tick(name: string, T: number): string {
    return `${this.prefix}:tick:{${name}}:${T}`;
  }

  /** T (ms) of the fire whose query last filled the job's queue; same slot as the queue. */
  fill(name: string): string {
    return `${this.prefix}:fill:{${name}}`;
  }

  /** Name of the run lease in @octo/redis-lock (its key is `<prefix>:lock:{job:<name>}`). */
  runLease(name: string): string {
    return `job:${name}`;
  }
}

/** Defines the claim script on `redis` once. */
export function defineClaimCommand(redis: Redis | Cluster): void {
  if (!(redis as unknown as Partial<ClaimCommands>).octoClaimTick) {
    redis.defineCommand("octoClaimTick", { numberOfKeys: 1, lua: claimTickScript });
  }
}

/**
 * Claims tick T of a job for `instanceId`: true for exactly one instance. A re-send after a lost
 * reply answers the same, so the winner still runs the tick.
 */
export async function claimTick(
  redis: Redis | Cluster,
  key: string,
  instanceId: string,
  ttlMs: number,
): Promise<boolean> {
  return (await (redis as unknown as ClaimCommands).octoClaimTick(key, instanceId, ttlMs)) === 1;
}
