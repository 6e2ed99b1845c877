import type { TypedEmitter } from "@octo/internal";
import type { RedisQueue } from "@octo/redis-queue";
import { FORWARDED_EVENT_NAMES, type JobRunnerEvents } from "./events";

type Forwarded = (typeof FORWARDED_EVENT_NAMES)[number];

/**
 * Forwards the item events of the query jobs' queues to the runner's emitter, an event only once
 * the runner has had a listener for it: until then the queues' workers have none and build no
 * payload per item.
 */
export class QueueEventForwarding {
  private readonly forwarded = new Set<Forwarded>();
  private readonly queues = new Set<RedisQueue<unknown>>();

  constructor(private readonly events: TypedEmitter<JobRunnerEvents>) {}

  /** Called for each subscription to the runner: starts forwarding `event` if it is an item event. */
  subscribed(event: keyof JobRunnerEvents): void {
    const name = FORWARDED_EVENT_NAMES.find((n) => n === event);
    if (name === undefined || this.forwarded.has(name)) return;
    this.forwarded.add(name);
    for (const queue of this.queues) this.forward(queue, name);
  }

  /** A query job's queue, made: forward what the runner listens to. */
  adopt(queue: RedisQueue<unknown>): void {
    if (this.queues.has(queue)) return;
    this.queues.add(queue);
    for (const name of this.forwarded) this.forward(queue, name);
  }

  /** Forgets a queue that will not be used again (a failed start drops its queues). */
  drop(queue: RedisQueue<unknown>): void {
    this.queues.delete(queue);
  }

  private forward(queue: RedisQueue<unknown>, name: Forwarded): void {
    queue.on(name, (payload) => this.events.emit(name, payload as never));
  }
}
