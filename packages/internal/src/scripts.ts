import { createHash } from "node:crypto";
import type { Cluster, Redis } from "ioredis";

/** A Lua script and how many of its arguments are keys. */
export interface ScriptDefinition {
  lua: string;
  numberOfKeys: number;
}

/** Runs one defined script: its keys, then its other arguments (EVALSHA, EVAL once if Redis lost it). */
export type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

const defined = new WeakMap<object, Map<object, Record<string, ScriptCall>>>();

/**
 * Defines each script on the client under its name followed by a hash of its text, and answers one
 * function per script that calls it through ioredis' defined command. Two copies of one of our
 * packages, of different versions, may share a client in one process (a runner's own copy of the
 * queue and a newer one the service installed): under a fixed command name the first definition
 * (or the last) would serve both, and one copy would run the other's scripts with its arguments.
 * Made once per client and definition set.
 */
export function defineScripts<N extends string>(
  redis: Redis | Cluster,
  definitions: Record<N, ScriptDefinition>,
): Record<N, ScriptCall> {
  let sets = defined.get(redis);
  if (!sets) {
    sets = new Map();
    defined.set(redis, sets);
  }
  const known = sets.get(definitions);
  if (known) return known as Record<N, ScriptCall>;
  const calls = {} as Record<N, ScriptCall>;
  const client = redis as unknown as Record<string, ScriptCall>;
  for (const name of Object.keys(definitions) as N[]) {
    const { lua, numberOfKeys } = definitions[name];
    const command = `${name}_${createHash("sha1").update(lua).digest("hex").slice(0, 12)}`;
    if (typeof client[command] !== "function") redis.defineCommand(command, { lua, numberOfKeys });
    calls[name] = (...args) => (client[command] as ScriptCall).call(redis, ...args);
  }
  sets.set(definitions, calls);
  return calls;
}
