/** Attempts of a call Redis answered with an error reply (OOM, READONLY, WRONGTYPE…). */
const REFUSED_ATTEMPTS = 3;
const FIRST_DELAY_MS = 50;
const MAX_DELAY_MS = 1000;

/**
 * Redis answered with an error: retrying rarely helps. Anything else (a command timeout, a closed
 * connection) says nothing about whether Redis ran the call, and our scripts are safe to run again.
 */
export function isRefusal(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "ReplyError";
}

/**
 * The application closed the client (`quit()`, `disconnect()`): ioredis will never reconnect it,
 * so every call fails the same way and waiting for Redis would hang the caller forever.
 */
export function isClosedForGood(redis: { status?: unknown }): boolean {
  return redis.status === "end";
}

/**
 * Runs `call`, and again after a failure while `keepTrying()` allows (when Redis refused it, at
 * most `refusedAttempts` times in all), with a delay doubling from 50 ms to 1 s. Rejects with the
 * last error.
 */
export async function retrying<R>(
  call: () => Promise<R>,
  keepTrying: () => boolean,
  onRetry: (error: unknown, attempt: number) => void,
  refusedAttempts = REFUSED_ATTEMPTS,
): Promise<R> {
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if ((isRefusal(error) && attempt >= refusedAttempts) || !keepTrying()) throw error;
      onRetry(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}
