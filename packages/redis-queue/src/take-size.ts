/** What the worker knows when it decides how many items to take. */
export interface TakeSizeInput {
  parallelism: number;
  batchSize: number;
  /** Handlers running now. */
  running: number;
  /** Items taken and not started. */
  buffered: number;
  /** Items asked for by takes still in flight. */
  requested?: number;
  /** Items this worker has been finishing per second, recently. */
  pacePerSecond: number;
  /** How far ahead to look: about two take round trips, at least a few ms. */
  horizonMs: number;
}

/**
 * How many items to take: one per free handler, plus as many as the measured pace says will start
 * within the horizon, less what takes in flight will bring. Fast handlers get whole batches (few round trips per item); a slow handler's
 * next item would start a second or more from now, so none is taken ahead and another worker that
 * is idle now gets it. 0 means: do not take.
 */
export function takeSize(input: TakeSizeInput): number {
  const held = input.running + input.buffered + (input.requested ?? 0);
  const free = Math.max(0, input.parallelism - held);
  const soon = Math.floor((input.pacePerSecond * input.horizonMs) / 1000);
  const wanted = Math.max(free, input.parallelism + soon - held);
  return Math.max(0, Math.min(input.batchSize, wanted));
}

/** Shortest window a pace is measured over: shorter ones are mostly noise. */
const PACE_WINDOW_MS = 20;

/** A worker's recent pace: items settled per second, smoothed over windows of 20 ms or more. */
export class PaceMeter {
  private settledCount = 0;
  private windowStart: number;
  private windowCount = 0;
  private pace = 0;

  constructor(now = performance.now()) {
    this.windowStart = now;
  }

  settled(): void {
    this.settledCount++;
  }

  perSecond(now = performance.now()): number {
    const elapsed = now - this.windowStart;
    if (elapsed >= PACE_WINDOW_MS) {
      const recent = ((this.settledCount - this.windowCount) * 1000) / elapsed;
      this.pace = this.pace === 0 ? recent : (this.pace + recent) / 2;
      this.windowStart = now;
      this.windowCount = this.settledCount;
    }
    return this.pace;
  }
}
