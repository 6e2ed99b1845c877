import { injectable } from "inversify";
import {
  CronInjectableError,
  DuplicateGroupError,
  DuplicateJobError,
  OrphanQueryError,
  StandardDecoratorsError,
  StaticJobMethodError,
} from "./errors";
import { type PendingClass, sharedRegistry } from "./registry";
import type { CronGroup, JobConfig, JobDefinition } from "./types";
import { checkName, resolveJobConfig, show, validateSchedule } from "./validate";

export const HOURLY = "0 * * * *";
export const DAILY = "0 0 * * *";
export const WEEKLY = "0 0 * * 0";
export const MONTHLY = "0 0 1 * *";

const registry = sharedRegistry();

function pendingFor(ctor: Function): PendingClass {
  let p = registry.pending.get(ctor);
  if (!p) {
    p = { jobs: [], queries: [] };
    registry.pending.set(ctor, p);
  }
  return p;
}

function where(name: unknown, className: string, method: string): string {
  return `job ${show(name)} (${className}.${method})`;
}

const COMPILER_FLAGS =
  'set "experimentalDecorators": true and "emitDecoratorMetadata": true in the compilerOptions of tsconfig.json (or your compiler\'s equivalent)';

/**
 * TC39 (standard) decorators get `(value, context)` with a context object that has a `kind`;
 * legacy ones get `(prototype, key, descriptor)` or `(constructor)`. Standard decorators would be
 * accepted and do nothing useful, so they are refused with the flag to set.
 */
function refuseStandardDecorators(decorator: string, context: unknown): void {
  if (
    typeof context === "object" &&
    context !== null &&
    typeof (context as { kind?: unknown }).kind === "string"
  ) {
    const name = (context as { name?: unknown }).name;
    throw new StandardDecoratorsError(
      `${decorator}${name !== undefined ? ` on ${String(name)}` : ""} was applied as a standard (TC39) decorator, but @octo/decorators needs TypeScript's legacy decorators: ${COMPILER_FLAGS}`,
    );
  }
}

function refuseStatic(target: unknown, decorator: string, at: string): void {
  if (typeof target === "function") {
    throw new StaticJobMethodError(
      `${at}: ${decorator} is on a static method, but jobs run on the instance the container builds; make it an instance method`,
    );
  }
}

function methodDecorator(name: string, schedule: string, config: JobConfig | undefined): MethodDecorator {
  return (target, propertyKey) => {
    refuseStandardDecorators(`@job(${show(name)})`, propertyKey);
    const ctor = typeof target === "function" ? target : target.constructor;
    const method = String(propertyKey);
    const at = where(name, ctor.name, method);
    refuseStatic(target, "@job", at);
    checkName(name, "job", at);
    validateSchedule(schedule, at);
    const resolved = resolveJobConfig(config, at);
    const p = pendingFor(ctor);
    const dup = p.jobs.find((j) => j.name === name);
    if (dup) {
      throw new DuplicateJobError(
        `${at}: ${ctor.name}.${dup.method} already declares job ${show(name)}; give one of them another name`,
      );
    }
    p.jobs.push({ name, schedule, config: resolved, method });
  };
}

/** A method that runs on `schedule` (node-cron, 5 or 6 fields). With a `@query` of the same name it handles one item. */
export function job(name: string, schedule: string, config?: JobConfig): MethodDecorator {
  return methodDecorator(name, schedule, config);
}
/** `@job(name, "0 * * * *", config)`: at minute 0 of every hour. */
export function hourly(name: string, config?: JobConfig): MethodDecorator {
  return methodDecorator(name, HOURLY, config);
}
/** `@job(name, "0 0 * * *", config)`: every day at midnight. */
export function daily(name: string, config?: JobConfig): MethodDecorator {
  return methodDecorator(name, DAILY, config);
}
/** `@job(name, "0 0 * * 0", config)`: Sundays at midnight. */
export function weekly(name: string, config?: JobConfig): MethodDecorator {
  return methodDecorator(name, WEEKLY, config);
}
/** `@job(name, "0 0 1 * *", config)`: the 1st of each month at midnight. */
export function monthly(name: string, config?: JobConfig): MethodDecorator {
  return methodDecorator(name, MONTHLY, config);
}

/**
 * The method producing the items for the `@job` of the same name: an array, a sync iterable of
 * items (a Set), or an async iterable (generator) of arrays, one array per batch.
 */
export function query(name: string): MethodDecorator {
  return (target, propertyKey) => {
    refuseStandardDecorators(`@query(${show(name)})`, propertyKey);
    const ctor = typeof target === "function" ? target : target.constructor;
    const method = String(propertyKey);
    const at = `query ${show(name)} (${ctor.name}.${method})`;
    refuseStatic(target, "@query", at);
    checkName(name, "query", at);
    const p = pendingFor(ctor);
    const dup = p.queries.find((q) => q.name === name);
    if (dup) {
      throw new DuplicateJobError(
        `${at}: ${ctor.name}.${dup.method} already declares query ${show(name)}; one job has one query`,
      );
    }
    p.queries.push({ name, method });
  };
}

/** Full job name: `group.name`, unless `name` already starts with `group.`. */
export function fullJobName(group: string, name: string): string {
  return name.startsWith(`${group}.`) ? name : `${group}.${name}`;
}

/**
 * The `@job`s and `@query`s of `target` and of its undecorated base classes (a subclass's own
 * method of one name wins). A base that is itself a `@cron` class keeps its jobs in its own group.
 */
function collectPending(target: Function): PendingClass {
  const own = registry.pending.get(target) ?? { jobs: [], queries: [] };
  registry.pending.delete(target);
  const out: PendingClass = { jobs: [...own.jobs], queries: [...own.queries] };
  for (
    let base = Object.getPrototypeOf(target);
    base && base !== Function.prototype;
    base = Object.getPrototypeOf(base)
  ) {
    const inherited = registry.pending.get(base);
    if (!inherited) continue;
    registry.inherited.add(base);
    for (const j of inherited.jobs) if (!out.jobs.some((x) => x.name === j.name)) out.jobs.push(j);
    for (const q of inherited.queries) if (!out.queries.some((x) => x.name === q.name)) out.queries.push(q);
  }
  return out;
}

/** Classes whose inversify metadata `@cron` still has to add; see makeInjectable. */
const notYetInjectable = new Set<Function>();

/**
 * Makes a `@cron` class injectable, unless `@injectable()` already did: applied after every
 * decorator of the class has run (a microtask later, or when the runner reads the groups,
 * whichever comes first), so `@injectable()` above or below `@cron` both work.
 */
function makeInjectable(target: Function): void {
  if (!notYetInjectable.delete(target)) return;
  try {
    injectable()(target as never);
  } catch (err) {
    if (err instanceof Error && /multiple times/.test(err.message)) return;
    throw new CronInjectableError(
      `@cron on ${target.name} could not make it injectable: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function makePendingInjectable(): void {
  for (const target of [...notYetInjectable]) makeInjectable(target);
}

/**
 * Marks a class as a job group: makes it injectable and registers it for `JobRunner`. Jobs
 * declared on an undecorated base class are part of the group. Throws when a `@query` has no
 * `@job` of its name.
 */
export function cron(group: string): ClassDecorator {
  return (target, ...rest: unknown[]) => {
    refuseStandardDecorators(`@cron(${show(group)})`, rest[0]);
    const at = `group ${show(group)} (${target.name})`;
    checkName(group, "group", at);
    const p = collectPending(target);
    for (const q of p.queries) {
      if (!p.jobs.some((j) => j.name === q.name)) {
        throw new OrphanQueryError(
          `query ${show(q.name)} (${target.name}.${q.method}) has no @job named ${show(q.name)} in ${target.name}; add one or rename the query`,
        );
      }
    }
    const jobs: JobDefinition[] = p.jobs.map((j) => {
      const def: JobDefinition = {
        fullName: fullJobName(group, j.name),
        name: j.name,
        group,
        schedule: j.schedule,
        config: j.config,
        method: j.method,
        target,
      };
      const q = p.queries.find((x) => x.name === j.name);
      if (q) def.queryMethod = q.method;
      return def;
    });
    const seen = new Map<string, JobDefinition>();
    for (const j of jobs) {
      const prev = seen.get(j.fullName);
      if (prev) {
        throw new DuplicateJobError(
          `job ${show(j.fullName)} (${target.name}.${j.method}) clashes with ${target.name}.${prev.method}: both have the full name ${show(j.fullName)}`,
        );
      }
      seen.set(j.fullName, j);
    }
    notYetInjectable.add(target);
    queueMicrotask(() => {
      try {
        makeInjectable(target);
      } catch {
        // Reported where the groups are read (getCronGroups), which has a caller to throw to.
        notYetInjectable.add(target);
      }
    });
    registry.groups.push({ name: group, target, jobs });
  };
}

/**
 * Every `@cron` class declared so far, in declaration order, by any copy of this package in the
 * process. Throws `CronInjectableError` when one of them cannot be made injectable.
 */
export function getCronGroups(): readonly CronGroup[] {
  makePendingInjectable();
  return registry.groups;
}

/**
 * Names of classes with `@job` or `@query` methods that no `@cron` class decorator took (neither
 * on the class nor on a subclass): those jobs never run. The runner warns about each at start.
 */
export function getUndecoratedJobClasses(): string[] {
  return [...registry.pending.entries()]
    .filter(([ctor, p]) => !registry.inherited.has(ctor) && p.jobs.length + p.queries.length > 0)
    .map(([ctor]) => ctor.name || "(anonymous class)");
}

/**
 * Checks the registered groups as a whole: two groups of one name, two jobs of one full name
 * across groups. The runner calls it at construction.
 */
export function assertNoClashes(list: readonly CronGroup[] = registry.groups): void {
  const byGroup = new Map<string, CronGroup>();
  const byJob = new Map<string, JobDefinition>();
  for (const g of list) {
    const prev = byGroup.get(g.name);
    if (prev && prev.target !== g.target) {
      throw new DuplicateGroupError(
        `group ${show(g.name)} is declared by both ${prev.target.name} and ${g.target.name}; group names must be unique`,
      );
    }
    byGroup.set(g.name, g);
    for (const j of g.jobs) {
      const p = byJob.get(j.fullName);
      if (p && p !== j) {
        throw new DuplicateJobError(
          `job ${show(j.fullName)} is declared by both ${p.target.name}.${p.method} and ${j.target.name}.${j.method}; job names must be unique`,
        );
      }
      byJob.set(j.fullName, j);
    }
  }
}

/** Test helper: forget every registered group. */
export function clearCronRegistry(): void {
  registry.groups.length = 0;
  registry.pending.clear();
  registry.inherited.clear();
}
