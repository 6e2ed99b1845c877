import { describeThrown } from "@octo/internal";
import { Redis } from "ioredis";
import { RedisUnreachableError } from "./errors";

/** How long the TCP connect (and each command after) may take before the CLI gives up. */
export const CONNECT_TIMEOUT_MS = 3_000;
export const COMMAND_TIMEOUT_MS = 10_000;

/**
 * One connection that fails instead of waiting: a short connect timeout, no reconnect, no
 * offline queue and no per-command retry, so an unreachable Redis ends the command at once
 * rather than leaving the process hanging.
 */
export async function connect(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  let lastError: unknown;
  // Without a listener ioredis prints "Unhandled error event"; the reason is reported once below.
  redis.on("error", (err: unknown) => {
    lastError = err;
  });
  try {
    await redis.connect();
  } catch (err) {
    // Once the connection has ended, disconnect() would only start ioredis's 2 s timer for a
    // stream that is closed already, and keep the process alive that long.
    if (redis.status !== "end") redis.disconnect();
    throw new RedisUnreachableError(redactUrl(url), describeThrown(lastError ?? err));
  }
  return redis;
}

/** Closes the connection so the process can exit by itself; never throws. */
export async function close(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

/** The URL with its password replaced, fit for an error message. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}
