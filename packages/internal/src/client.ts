import type { Cluster, Redis } from "ioredis";
import { InvalidArgumentError } from "./invalid-argument-error";
import { show } from "./show";

/**
 * Accepts anything that behaves as an ioredis `Redis` or `Cluster` (checked by shape, so two
 * copies or two majors of ioredis in one application still work together).
 */
export function assertRedisClient(value: unknown, argument = "redis"): asserts value is Redis | Cluster {
  const client = value as Partial<Record<"defineCommand" | "evalsha" | "duplicate", unknown>> | null;
  if (
    typeof client !== "object" ||
    client === null ||
    typeof client.defineCommand !== "function" ||
    typeof client.evalsha !== "function" ||
    typeof client.duplicate !== "function"
  ) {
    throw new InvalidArgumentError(
      argument,
      value,
      `${argument} ${show(value)} is not an ioredis client: pass a connected \`new Redis(...)\` or \`new Cluster(...)\` from ioredis`,
    );
  }
}

/**
 * A new connection with the client's options (`redis.duplicate()`), for pub/sub or blocking
 * commands. ioredis 6 types `duplicate()` of `Redis` and of `Cluster` with overloads that a
 * `Redis | Cluster` union cannot call, hence one typed place for it.
 */
export function duplicateClient(redis: Redis | Cluster): Redis | Cluster {
  const duplicate: () => Redis | Cluster = redis.duplicate.bind(redis);
  return duplicate();
}
