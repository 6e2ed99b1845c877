import { describeThrown, duplicateClient, type LoggerLike } from "@octo/internal";
import type { Cluster, Redis } from "ioredis";

/** One queue's wake-up channel and what to do when a fill lands on it. */
export interface FillSubscription {
  channel: string;
  /** Must not throw; it is called from the connection's message event. */
  onFill(): void;
}

/**
 * Joins every fill of a query job's queue, whoever filled it and whatever this instance's ticks
 * did: a fire this instance missed or a `run()` on another instance would otherwise leave it
 * out. One connection of its own, subscribed to the queues' wake-up channels. The listener only
 * signals; building the job's class and working the queue happen elsewhere, so a class that
 * cannot be built is logged there and never throws out of the connection's event.
 */
export class FillListener {
  private connection?: Redis | Cluster;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly logger: LoggerLike,
  ) {}

  async listen(subscriptions: FillSubscription[]): Promise<void> {
    const byChannel = new Map(subscriptions.map((s) => [s.channel, s]));
    const connection = duplicateClient(this.redis);
    this.connection = connection;
    connection.on("error", (err: unknown) =>
      this.logger.debug(
        { err: describeThrown(err) },
        "fill listener connection error; ticks still start the workers",
      ),
    );
    connection.on("message", (channel: string) => {
      if (this.connection !== connection) return;
      try {
        byChannel.get(channel)?.onFill();
      } catch (err) {
        this.logger.error({ err: describeThrown(err), channel }, "could not join a fill");
      }
    });
    await connection.subscribe(...byChannel.keys()).catch((err: unknown) => {
      this.logger.warn(
        { err: describeThrown(err) },
        "could not subscribe to fills; workers start on ticks only",
      );
    });
  }

  async close(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    this.connection = undefined;
    // QUIT waits for a reconnecting connection; never let that hold up stop().
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      connection.quit().catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 1000);
      }),
    ]);
    clearTimeout(timer);
    connection.disconnect();
  }
}
