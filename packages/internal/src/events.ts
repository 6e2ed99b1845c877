import { InvalidArgumentError } from "./invalid-argument-error";
import type { LoggerLike } from "./logger-like";
import { show } from "./show";
import { describeThrown } from "./thrown";

/** A listener of one event; what it returns is ignored, except that a rejected promise is logged. */
export type EventListener<P> = (payload: P) => unknown;

/** Subscribing and unsubscribing, the public half of an emitter: what `on`/`off` of a class delegate to. */
export interface EventSource<Events> {
  /** Calls `listener` with each `event` from now on; answers the function that unsubscribes it. */
  on<K extends keyof Events & string>(event: K, listener: EventListener<Events[K]>): () => void;
  /** Stops calling `listener` for `event`; nothing happens when it was not subscribed. */
  off<K extends keyof Events & string>(event: K, listener: EventListener<Events[K]>): void;
}

type Lists<Events> = { [K in keyof Events]?: ReadonlyArray<EventListener<Events[K]>> };

/**
 * A small typed emitter, `Events` being a map from event name to payload type. Unlike Node's
 * `EventEmitter` it has no `"error"` event that throws when unheard: listeners are called in
 * subscription order, synchronously, and a listener that throws (anything) or returns a promise
 * that rejects is logged at `error` with the event's name; the emitter, its caller and the other
 * listeners carry on. Lists are replaced, never changed in place, so a listener that subscribes
 * or unsubscribes during an emit changes the next emit, not this one.
 */
export class TypedEmitter<Events> implements EventSource<Events> {
  private lists: Lists<Events> = {};
  private readonly names: ReadonlySet<string>;

  /**
   * @param names every event name `Events` has: a name outside it is refused by `on`/`off`, so a
   *   misspelt name fails loudly instead of never firing.
   * @param logger read at each failure, so an owner whose logger is set later (at start) logs there.
   */
  constructor(
    names: readonly (keyof Events & string)[],
    private readonly logger: () => LoggerLike,
  ) {
    this.names = new Set(names);
  }

  on<K extends keyof Events & string>(event: K, listener: EventListener<Events[K]>): () => void {
    this.check(event, listener);
    this.lists[event] = [...(this.lists[event] ?? []), listener];
    return () => this.off(event, listener);
  }

  off<K extends keyof Events & string>(event: K, listener: EventListener<Events[K]>): void {
    this.check(event, listener);
    const list = this.lists[event];
    if (!list) return;
    const index = list.indexOf(listener);
    if (index < 0) return;
    const rest = list.filter((_, i) => i !== index);
    if (rest.length === 0) delete this.lists[event];
    else this.lists[event] = rest;
  }

  /** Whether `event` has a listener: a hot path tests this before it builds a payload. */
  listens(event: keyof Events & string): boolean {
    return this.lists[event] !== undefined;
  }

  /** Calls each listener of `event` with `payload`. Never throws. */
  emit<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    const list = this.lists[event];
    if (list === undefined) return;
    for (const listener of list) {
      let returned: unknown;
      try {
        returned = listener(payload);
      } catch (err) {
        this.report(event, err);
        continue;
      }
      if (returned !== null && (typeof returned === "object" || typeof returned === "function")) {
        this.own(event, returned);
      }
    }
  }

  /** Handles the rejection of a promise (or any thenable) a listener returned. */
  private own(event: string, returned: object): void {
    try {
      const then = (returned as { then?: unknown }).then;
      if (typeof then === "function") {
        then.call(returned, undefined, (err: unknown) => this.report(event, err));
      }
    } catch (err) {
      this.report(event, err);
    }
  }

  private report(event: string, err: unknown): void {
    try {
      this.logger().error(
        { event, err: describeThrown(err) },
        `a listener of "${event}" failed; the event and the other listeners were not affected`,
      );
    } catch {
      // A logger that throws must not turn an event into a failure of the work that emitted it.
    }
  }

  private check(event: unknown, listener: unknown): void {
    if (typeof event !== "string" || !this.names.has(event)) {
      throw new InvalidArgumentError(
        "event",
        event,
        `event ${show(event)} is not an event of this emitter: pass one of ${[...this.names]
          .map((n) => JSON.stringify(n))
          .join(", ")}`,
      );
    }
    if (typeof listener !== "function") {
      throw InvalidArgumentError.expected("listener", listener, "a function called with the event's payload");
    }
  }
}
