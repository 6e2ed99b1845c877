import { randomUUID } from "node:crypto";

/** Items of one `add` call bound for one script call. */
export interface AddUnit {
  /** Milliseconds before the items are due (0: pending at once). */
  delay: number;
  /** Whether `values` holds a de-duplication key before each stored value. */
  keyed: boolean;
  /** The stored values, each after its key when `keyed`. */
  values: string[];
  count: number;
  /** The most items the calling queue writes per script call. */
  batchSize: number;
}

interface Unit extends AddUnit {
  resolve(statuses: string): void;
  reject(error: unknown): void;
}

/**
 * Sends one script call with these arguments as call number `call` of the lane whose last answer
 * Redis keeps at `answerKey`; answers its statuses.
 */
export type SendAdd = (answerKey: string, call: number, args: (string | number)[]) => Promise<string>;

/**
 * One of a sender's script calls in flight: at most one at a time per lane, numbered, with its
 * own answer key in Redis, so a call re-sent after a lost reply is recognised by its number.
 */
interface Lane {
  readonly key: string;
  call: number;
  busy: boolean;
}

/**
 * How many script calls one sender keeps in flight at most. Ten producers that each wait for
 * their last add: 92k items/s with four lanes where two gave 66k (both sides half idle).
 */
export const ADD_LANES = 4;

/**
 * Sends the adds of one process to one queue over one client. Adds made in one event-loop turn
 * go together at its end (group commit, up to `batchSize` items a call), spread over the lanes
 * that are free: while one call is in Redis the next is on its way, so the client's work and
 * Redis' overlap instead of taking turns. A lane has one call in flight at a time, so Redis needs
 * to keep only its last answer to recognise a call re-sent after a lost reply: a lane's calls
 * carry increasing numbers, and a re-sent one has the number of its last.
 */
export class AddSender {
  /** Names this sender's answer keys; random, so no two senders share one. */
  readonly id = randomUUID();
  private readonly lanes: Lane[];
  private waiting: Unit[] = [];
  private flushQueued = false;

  constructor(
    /** Start of the answer keys of the queue's senders. */
    senderKey: string,
    private readonly send: SendAdd,
    lanes = ADD_LANES,
  ) {
    this.lanes = Array.from({ length: lanes }, (_, i) => ({
      key: `${senderKey}${this.id}:${i}`,
      call: 0,
      busy: false,
    }));
  }

  /** Queues the items; resolves to one status character per item ('1' added, '0' skipped). */
  add(unit: AddUnit): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const { delay, keyed, values, count, batchSize } = unit;
      this.waiting.push({ delay, keyed, values, count, batchSize, resolve, reject });
      this.queueFlush();
    });
  }

  /** Flushes at the end of this event-loop turn, once: the adds of the whole turn go together. */
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  /**
   * Sends a free lane's share of what waits (evenly by items over the free lanes, up to its batch
   * size), and the rest at the end of the next turn. Sent in one go, the calls would reach Redis
   * together and answer together, and their callers would add again together: the lanes would
   * move in step, the client idle while Redis runs them all and Redis idle while the client
   * prepares them all. One turn apart, Redis runs one lane's call while the client prepares the
   * next.
   */
  private flush(): void {
    const free = this.lanes.filter((lane) => !lane.busy);
    const lane = free[0];
    if (lane === undefined || this.waiting.length === 0) return;
    let items = 0;
    for (const unit of this.waiting) items += unit.count;
    const limit = Math.min((this.waiting[0] as Unit).batchSize, Math.ceil(items / free.length));
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
    void this.sendOn(lane, units);
    if (this.waiting.length > 0 && free.length > 1) this.queueFlush();
  }

  /** Never rejects: the call's outcome goes to the callers whose items it carried. */
  private async sendOn(lane: Lane, units: Unit[]): Promise<void> {
    lane.busy = true;
    const args = scriptArgs(units);
    try {
      const statuses = String(await this.send(lane.key, ++lane.call, args));
      let at = 0;
      for (const unit of units) {
        unit.resolve(statuses.slice(at, at + unit.count));
        at += unit.count;
      }
    } catch (error) {
      for (const unit of units) unit.reject(error);
    } finally {
      lane.busy = false;
      // The callers just answered usually add again in this turn: their adds go at its end.
      this.queueFlush();
    }
  }
}

/**
 * The add script's groups for these units: one group (delay, count, keyed, values) per run of
 * units with the same delay and keyed-ness, so single adds made together cost Redis and the
 * client one group instead of one each.
 */
export function scriptArgs(units: readonly AddUnit[]): (string | number)[] {
  const args: (string | number)[] = [];
  let countAt = -1;
  let previous: AddUnit | undefined;
  for (const unit of units) {
    if (previous && unit.delay === previous.delay && unit.keyed === previous.keyed) {
      args[countAt] = (args[countAt] as number) + unit.count;
    } else {
      countAt = args.length + 1;
      args.push(unit.delay, unit.count, unit.keyed ? 1 : 0);
    }
    for (const value of unit.values) args.push(value);
    previous = unit;
  }
  return args;
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
