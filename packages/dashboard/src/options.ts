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
  /**
   * A prom-client `Registry` (or anything with its `metrics()` and `contentType`): when given,
   * `GET <basePath>/metrics` answers its Prometheus text, for example the metrics that
   * `registerMetrics` from `@octo/metrics` adds. Without it, that path is not the dashboard's.
   */
  registry?: MetricsRegistry;
}

/** What the dashboard uses of a prom-client `Registry`. */
export interface MetricsRegistry {
  /** The Prometheus text of every metric, as a scrape reads it. */
  metrics(): Promise<string>;
  /** The content type of that text. */
  readonly contentType: string;
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  redis: Redis | Cluster;
  prefix: string;
  readOnly: boolean;
  authorize: ((req: IncomingMessage) => boolean | Promise<boolean>) | undefined;
  /** `""` for the root, else `/a/b` without a trailing slash. */
  basePath: string;
  registry: MetricsRegistry | undefined;
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
  return {
    redis: options.redis,
    prefix,
    readOnly,
    authorize,
    basePath: resolveBasePath(options.basePath),
    registry: resolveRegistry(options.registry),
  };
}

function resolveRegistry(value: unknown): MetricsRegistry | undefined {
  if (value === undefined) return undefined;
  const registry = value as Partial<Record<keyof MetricsRegistry, unknown>> | null;
  if (
    typeof registry !== "object" ||
    registry === null ||
    typeof registry.metrics !== "function" ||
    typeof registry.contentType !== "string"
  ) {
    throw new InvalidArgumentError(
      "options.registry",
      value,
      `options.registry ${show(value)} is not usable: pass a prom-client Registry (its global \`register\` or a \`new Registry()\`), or leave it out`,
    );
  }
  return registry as MetricsRegistry;
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
