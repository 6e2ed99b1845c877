import type { IncomingMessage } from "node:http";
import { assertRedisClient, InvalidArgumentError, resolvePrefix, show } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";

/** Options of {@link createDashboard}. */
export interface DashboardOptions {
  /** The ioredis `Redis` or `Cluster` the jobs and queues live on. The dashboard never closes it. */
  redis: Redis | Cluster;
  /** Key prefix the runner and queues were given; default `"octo"`. */
  prefix?: string;
  /**
   * Whether the page only shows (default `true`). A read-only dashboard shows no action buttons
   * and answers 403 to every action, whatever `authorize` says.
   */
  readOnly?: boolean;
  /**
   * Decides whether a request may perform an action (requeue, remove, run now). Required when
   * `readOnly` is `false`; a rejection or any answer but `true` refuses the action with 403.
   */
  authorize?: (req: IncomingMessage) => boolean | Promise<boolean>;
  /** The path the dashboard is served under, such as `"/dashboard"`; default `"/"`. */
  basePath?: string;
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  redis: Redis | Cluster;
  prefix: string;
  readOnly: boolean;
  authorize: ((req: IncomingMessage) => boolean | Promise<boolean>) | undefined;
  /** `""` for the root, else `/a/b` without a trailing slash. */
  basePath: string;
}

/** Checks every option before the handler exists, so a mistake shows at start-up. */
export function resolveOptions(options: DashboardOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(
      "options",
      options,
      `options ${show(options)} is not usable: pass { redis } with an ioredis client`,
    );
  }
  assertRedisClient(options.redis, "options.redis");
  const prefix = resolvePrefix(options.prefix);
  const readOnly = options.readOnly ?? true;
  if (typeof readOnly !== "boolean") {
    throw new InvalidArgumentError(
      "options.readOnly",
      readOnly,
      `options.readOnly ${show(readOnly)} is not usable: pass true (the default) or false`,
    );
  }
  const { authorize } = options;
  if (authorize !== undefined && typeof authorize !== "function") {
    throw new InvalidArgumentError(
      "options.authorize",
      authorize,
      `options.authorize ${show(authorize)} is not usable: pass a function (req) => boolean | Promise<boolean>`,
    );
  }
  if (!readOnly && authorize === undefined) {
    throw new InvalidArgumentError(
      "options.authorize",
      authorize,
      "options.authorize is missing while options.readOnly is false: actions change Redis, so pass a " +
        "function (req) => boolean that accepts only the people allowed to run them",
    );
  }
  return { redis: options.redis, prefix, readOnly, authorize, basePath: resolveBasePath(options.basePath) };
}

function resolveBasePath(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value !== "string" || !value.startsWith("/") || /[?#\s]/.test(value)) {
    throw new InvalidArgumentError(
      "options.basePath",
      value,
      `options.basePath ${show(value)} is not usable: pass a path that starts with "/", such as "/dashboard"`,
    );
  }
  return value.replace(/\/+$/, "");
}
