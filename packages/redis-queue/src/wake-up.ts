import { duplicateClient, type LoggerLike } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";

/**
 * How an idle worker waits: on the queue's wake-up channel (fill, requeue and give-backs publish
 * there), through a connection of its own opened the first time it is idle and closed when `work`
 * ends, with a timer as the fallback that also finds retries falling due and leases running out.
 */
export class WakeUp {
  private subscriber?: Redis | Cluster;
  private wakeWaiter?: () => void;
  /** A wake-up came while nobody waited (between a take and its idle wait). */
  private woken = false;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly channel: string,
    private readonly logger: LoggerLike,
    private readonly queue: string,
  ) {}

  /** Waits up to `ms`, or until items are announced or `wake()` is called. */
  async wait(ms: number): Promise<void> {
    this.subscriber ??= this.subscribe();
    if (this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeWaiter === done) this.wakeWaiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeWaiter = done;
    });
  }

  /** Ends the current wait now (the worker is stopping), or the next one if nobody waits. */
  wake(): void {
    if (this.wakeWaiter) this.wakeWaiter();
    else this.woken = true;
  }

  private subscribe(): Redis | Cluster {
    const subscriber = duplicateClient(this.redis);
    subscriber.on("error", (err: unknown) =>
      this.logger.debug({ err, queue: this.queue }, "wake-up connection error; polling meanwhile"),
    );
    subscriber.on("message", () => this.wake());
    subscriber.subscribe(this.channel).catch((err: unknown) => {
      this.logger.debug({ err, queue: this.queue }, "could not subscribe to wake-ups; polling");
    });
    return subscriber;
  }

  /** Closes the wake-up connection, if one was opened; leaves no timer behind. */
  async close(): Promise<void> {
    const subscriber = this.subscriber;
    if (!subscriber) return;
    this.subscriber = undefined;
    // QUIT waits for a reconnecting connection; never let that hold up the end of work().
    let timer: NodeJS.Timeout | undefined;
    const quit = await Promise.race([
      subscriber.quit().then(
        () => true,
        () => false,
      ),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), 1000);
      }),
    ]);
    clearTimeout(timer);
    // After a QUIT that went through, disconnect() would only arm ioredis' own 2 s fallback timer.
    if (!quit) subscriber.disconnect();
  }
}
