/**
 * Waits until `check` answers true, polling every `intervalMs`; fails with `timed out waiting for
 * <what>` (and the last value `describe` gives, when passed) after `timeoutMs`. Tests wait for a
 * condition, never for a fixed time: the timeout only bounds a hung test, so make it generous.
 */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  { intervalMs = 20, describe }: { intervalMs?: number; describe?: () => unknown } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const last = describe ? `; last seen: ${JSON.stringify(await describe())}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves after `ms` milliseconds: for pacing a test's own actions, never for waiting on a result. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
