/** Milliseconds since the whole second this fire was scheduled for (negative if it fired early). */
export function fireLag(now = Date.now()): { second: number; lag: number } {
  const second = Math.round(now / 1000) * 1000;
  return { second, lag: now - second };
}
