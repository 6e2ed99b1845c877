/**
 * Takes one worker keeps in flight at most, each on its own lane (its own field in the replies
 * hash, so each lane's re-sent take is recognised). More than one goes out only while takes come
 * back full: Redis works on some while the worker's lanes work through the others' items. Each
 * asks only for what the others do not already bring, so the lanes raise how many items one
 * round trip can bring (4 × batchSize), not how many the pace lets a worker hold. With no-op items
 * at parallelism 10, four lanes moved 1.37× the items per second of two.
 */
export const TAKE_LANES = 4;

/**
 * What the last answered take says of the queue:
 * - `quiet`: it came back short, empty or failed (or none was answered yet): one take at a time;
 * - `streaming`: it came back full, the queue has more: more takes may go out beside it.
 */
type TakeMode = "quiet" | "streaming";

/** One take to send: its lane's replies field, how many items, how many to mark running at once. */
export type SendTake = (lane: string, size: number, atOnce: number) => Promise<void>;

/**
 * The take lanes of one worker: which takes are in flight, what they asked for, and whether
 * another may go out. It sends nothing itself; the worker's `send` talks to Redis and never
 * rejects.
 */
export class TakeLanes {
  private mode: TakeMode = "quiet";
  /** Takes in flight; each settles (never rejects) once its items are in the worker's buffer. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Replies fields of the lanes with no take in flight, lowest first. */
  private readonly free = Array.from({ length: TAKE_LANES }, (_, i) => `take:${i}`);
  /** Items the takes in flight asked for, and how many of them they mark running at once. */
  private requestedItems = 0;
  private requestedAtOnce = 0;

  constructor(private readonly send: SendTake) {}

  /** Items asked for by takes in flight: the worker counts them as held when sizing the next. */
  get requested(): number {
    return this.requestedItems;
  }

  /** Whether a take other than the caller's is in flight (the caller's own counts as one). */
  get othersInFlight(): boolean {
    return this.inFlight.size > 1;
  }

  /** Records how the take that just answered came back. */
  answered(full: boolean): void {
    this.mode = full ? "streaming" : "quiet";
  }

  /**
   * Sends a take on the lowest free lane, unless one is in flight and the queue is not streaming,
   * no lane is free, or `size()` wants nothing. `waiting` lanes of the worker want an item now:
   * that many (less what takes in flight already mark) are marked running at once.
   */
  start(size: () => number, waiting: number): void {
    if (this.inFlight.size > 0 && this.mode !== "streaming") return;
    const lane = this.free[0];
    if (lane === undefined) return;
    const items = size();
    if (items === 0) return;
    this.free.shift();
    const atOnce = Math.min(Math.max(0, waiting - this.requestedAtOnce), items);
    this.requestedItems += items;
    this.requestedAtOnce += atOnce;
    const taking: Promise<void> = this.send(lane, items, atOnce).finally(() => {
      this.requestedItems -= items;
      this.requestedAtOnce -= atOnce;
      // The lowest free lane goes first: a lane past the first is used only alongside it.
      this.free.push(lane);
      this.free.sort();
      this.inFlight.delete(taking);
    });
    this.inFlight.add(taking);
  }

  /** Settles when a take in flight has settled; at once when none is. */
  settled(): Promise<void> {
    return this.inFlight.size > 0 ? Promise.race(this.inFlight) : Promise.resolve();
  }

  /** Resolves once no take is in flight. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }
}
