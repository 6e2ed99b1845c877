import type { CronGroup } from "@octo/decorators";
import { describeThrown } from "@octo/internal";
import type { Container } from "inversify";
import { JobClassUnresolvableError } from "./errors";

/** An instance of a `@cron` class, its methods by name. */
export type JobTarget = Record<string, (...args: unknown[]) => unknown>;

/**
 * Builds (or fetches) the instance of a group's class from the container. Any failure (a missing
 * binding, a throwing constructor) becomes a `JobClassUnresolvableError` naming the class, so the
 * caller records it for that job and the other jobs go on.
 */
export function resolveTarget(container: Container, group: CronGroup): JobTarget {
  let target: unknown;
  try {
    target = container.get(group.target as never);
  } catch (err) {
    throw new JobClassUnresolvableError(group.target.name, group.name, describeThrown(err), err);
  }
  if (typeof target !== "object" || target === null) {
    throw new JobClassUnresolvableError(
      group.target.name,
      group.name,
      `the container returned ${String(target)}`,
    );
  }
  return target as JobTarget;
}
