import { randomUUID } from "node:crypto";

/**
 * Numbers the add calls one process sends to one queue over one client, so that Redis can tell
 * a call re-sent after a lost reply from a new one while keeping only a few answers: the calls
 * of one connection reach Redis in the order they were sent, and each call also carries the
 * lowest number still waiting for its reply (the floor). Answers below the floor can never be
 * asked for again, so the script deletes them.
 */
export class AddCalls {
  /** Names this process's answers hash; random, so no two processes share one. */
  readonly id = randomUUID();
  private next = 1;
  /** Numbers sent, in order, from `head` on; those in `settled` got their reply. */
  private readonly sent: number[] = [];
  private head = 0;
  private readonly settled = new Set<number>();

  /** A number for a call about to be sent, and the floor to send with it. */
  begin(): { seq: number; floor: number } {
    const seq = this.next++;
    this.sent.push(seq);
    return { seq, floor: this.floor() };
  }

  /** The call got its reply (or failed for good): it will not be sent again. */
  end(seq: number): void {
    this.settled.add(seq);
  }

  private floor(): number {
    while (this.head < this.sent.length && this.settled.has(this.sent[this.head] as number)) {
      this.settled.delete(this.sent[this.head] as number);
      this.head++;
    }
    // Compact now and then, so a long-lived producer does not keep every number it sent.
    if (this.head > 1024 && this.head * 2 > this.sent.length) {
      this.sent.splice(0, this.head);
      this.head = 0;
    }
    return this.sent[this.head] as number;
  }
}

const byClient = new WeakMap<object, Map<string, AddCalls>>();

/** The numbering of add calls to the queue with answers hash prefix `key` over `client`. */
export function addCallsOf(client: object, key: string): AddCalls {
  let queues = byClient.get(client);
  if (!queues) {
    queues = new Map();
    byClient.set(client, queues);
  }
  let calls = queues.get(key);
  if (!calls) {
    calls = new AddCalls();
    queues.set(key, calls);
  }
  return calls;
}
