import { randomUUID } from "node:crypto";

/** Items of one `add` call bound for one script call: delay, count, keyed, then the items. */
interface Unit {
  args: (string | number)[];
  count: number;
  /** The most items the calling queue writes per script call. */
  batchSize: number;
  resolve(statuses: string): void;
  reject(error: unknown): void;
}

/** Sends one script call with these arguments under call number `call`; answers its statuses. */
export type SendAdd = (senderKey: string, call: number, args: (string | number)[]) => Promise<string>;

/** Lets the callbacks and promise continuations of this event-loop turn run first. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Sends the adds of one process to one queue over one client, one script call at a time. Calls
 * made while one is in flight wait and then go together (group commit, up to `batchSize`
 * items), so concurrent single adds share round trips. Each call goes at the end of an
 * event-loop turn, not at once: the callers whose adds the last call answered usually add again
 * in the same turn, and without the wait every other call would carry only them, or only the
 * others (10 concurrent producers averaged 5 items a call). Because only one call is ever in flight,
 * Redis needs to keep only the sender's last answer to recognise a call re-sent after a lost
 * reply: the calls carry increasing numbers, and a re-sent one has the number of the last.
 */
export class AddSender {
  /** Names this sender's answer key; random, so no two senders share one. */
  readonly id = randomUUID();
  private call = 0;
  private waiting: Unit[] = [];
  private sending = false;

  constructor(
    private readonly senderKey: string,
    private readonly send: SendAdd,
  ) {}

  /** Queues the items; resolves to one status character per item ('1' added, '0' skipped). */
  add(args: (string | number)[], count: number, batchSize: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.waiting.push({ args, count, batchSize, resolve, reject });
      if (!this.sending) {
        this.sending = true;
        void this.drain();
      }
    });
  }

  /**
   * Never rejects: each script call's outcome goes to the callers whose items it carried. Clears
   * `sending` in the same step that finds nothing waiting, so no add can slip in between.
   */
  private async drain(): Promise<void> {
    await nextTurn();
    while (this.waiting.length > 0) {
      const limit = (this.waiting[0] as Unit).batchSize;
      const units: Unit[] = [];
      let total = 0;
      while (
        this.waiting.length > 0 &&
        (units.length === 0 || total + (this.waiting[0] as Unit).count <= limit)
      ) {
        const unit = this.waiting.shift() as Unit;
        units.push(unit);
        total += unit.count;
      }
      const args = units.length === 1 ? (units[0] as Unit).args : units.flatMap((unit) => unit.args);
      try {
        const statuses = String(await this.send(`${this.senderKey}${this.id}`, ++this.call, args));
        let at = 0;
        for (const unit of units) {
          unit.resolve(statuses.slice(at, at + unit.count));
          at += unit.count;
        }
      } catch (error) {
        for (const unit of units) unit.reject(error);
      }
      await nextTurn();
    }
    this.sending = false;
  }
}

const byClient = new WeakMap<object, Map<string, AddSender>>();

/** The sender of adds to the queue whose sender keys start with `senderKey`, over `client`. */
export function addSenderOf(client: object, senderKey: string, send: SendAdd): AddSender {
  let queues = byClient.get(client);
  if (!queues) {
    queues = new Map();
    byClient.set(client, queues);
  }
  let sender = queues.get(senderKey);
  if (!sender) {
    sender = new AddSender(senderKey, send);
    queues.set(senderKey, sender);
  }
  return sender;
}
