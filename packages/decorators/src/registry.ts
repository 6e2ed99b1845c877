import { RegistryMismatchError } from "./errors";
import type { CronGroup, ResolvedJobConfig } from "./types";

/** A `@job` seen on a class whose `@cron` has not run yet. */
export interface PendingJob {
  name: string;
  schedule: string;
  config: ResolvedJobConfig;
  method: string;
}

/** The `@job` and `@query` methods of one class, collected before its class decorator runs. */
export interface PendingClass {
  jobs: PendingJob[];
  queries: { name: string; method: string }[];
}

/**
 * Everything the decorators record, shared by every copy of this package in the process (ESM and
 * CJS builds, two versions that a package manager did not dedupe): the runner of one copy sees the
 * classes decorated by another. Its shape is versioned by `format`; a copy that finds another
 * format refuses to load.
 */
export interface Registry {
  readonly format: number;
  /** Method decorators run before the class decorator, so they collect here keyed by class. */
  readonly pending: Map<Function, PendingClass>;
  readonly groups: CronGroup[];
  /** Undecorated base classes whose jobs a `@cron` subclass took over. */
  readonly inherited: Set<Function>;
}

/** The shape of `Registry`; bump it on any change a copy of another version would misread. */
export const REGISTRY_FORMAT = 1;
const KEY = Symbol.for("@octo/decorators/registry");

/** The process-wide registry, made by the first copy that loads. */
export function sharedRegistry(): Registry {
  const holder = globalThis as { [KEY]?: Registry };
  const existing = holder[KEY];
  if (existing === undefined) {
    const made: Registry = { format: REGISTRY_FORMAT, pending: new Map(), groups: [], inherited: new Set() };
    Object.defineProperty(holder, KEY, {
      value: made,
      enumerable: false,
      configurable: false,
      writable: false,
    });
    return made;
  }
  if (typeof existing !== "object" || existing === null || existing.format !== REGISTRY_FORMAT) {
    const found = typeof existing === "object" && existing !== null ? existing.format : existing;
    throw new RegistryMismatchError(
      `two incompatible copies of @octo/decorators are loaded in this process (registry format ${String(found)} and ${REGISTRY_FORMAT}): jobs declared with one would be invisible to the runner of the other; install a single version (check with "npm ls @octo/decorators") so they share one registry`,
    );
  }
  return existing;
}
