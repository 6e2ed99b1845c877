import type { LoggerLike } from "@octo/internal";
import { AckFailedError } from "./ack-failed-error";
import type { Lease } from "./lease";
import { retrying } from "./retrying";
import type { WorkerKeys } from "./worker-config";
import { ackCode, LEASE_HELD, perCall, type WorkerScripts } from "./worker-scripts";

/** Tries of an ack Redis refused: about 1.5 s in all, during which its items are renewed. */
const ACK_REFUSED_ATTEMPTS = 6;

export interface AckHost {
  readonly scripts: WorkerScripts;
  readonly keys: WorkerKeys;
  readonly repliesKey: string;
  readonly repliesTtlMs: number;
  readonly leaseMs: number;
  readonly logger: LoggerLike;
  readonly queue: string;
  /** Redis answered for `lease` (acked, or refused with LEASE_LOST / ITEM_MISSING). */
  ended(lease: Lease, code: number): void;
  /** Acks kept failing: the worker must stop and reject with `error`. */
  failed(error: AckFailedError, leases: Lease[]): void;
}

/**
 * Acks one worker keeps in flight at most, each on its own lane (its own field in the replies
 * hash, so each lane's re-sent call is recognised): Redis runs one while the next is on its way.
 */
export const ACK_LANES = 2;

/**
 * Group commit of acks: one ack call in flight per lane; items finishing meanwhile go together in
 * the next. A failed call is sent again (the same call id, so a call that did run answers as it
 * did) while the leases hold, for at most one lease period; its items stay held and renewed.
 */
export class AckBatcher {
  private queued: Lease[] = [];
  /** Replies fields of the lanes with no call in flight, lowest first. */
  private readonly freeLanes = Array.from({ length: ACK_LANES }, (_, i) => `ack:${i}`);
  /** Calls in flight; each settles (never rejects) once answered or given up. */
  private readonly sending = new Set<Promise<void>>();
  private calls = 0;

  constructor(
    private readonly host: AckHost,
    private readonly workerId: string,
  ) {}

  push(lease: Lease): void {
    this.queued.push(lease);
    this.pump();
  }

  /** Resolves once every queued ack was sent and answered; never rejects (a failure goes to the host). */
  async flush(): Promise<void> {
    this.pump();
    while (this.sending.size > 0) await Promise.all(this.sending);
  }

  /** Sends what is queued on a free lane, if there is one. */
  private pump(): void {
    if (this.queued.length === 0) return;
    const lane = this.freeLanes.shift();
    if (lane === undefined) return;
    const batch = this.queued;
    this.queued = [];
    // send() hands its failures to the host; a throw it did not expect (a logger that throws)
    // goes there too, so no rejection is left without an owner.
    const sent: Promise<void> = this.send(batch, lane)
      .catch((error: unknown) =>
        this.host.failed(new AckFailedError(this.host.queue, batch.length, error), batch),
      )
      .finally(() => {
        this.freeLanes.push(lane);
        this.freeLanes.sort();
        this.sending.delete(sent);
        this.pump();
      });
    this.sending.add(sent);
  }

  private async send(batch: Lease[], lane: string): Promise<void> {
    const { scripts, keys, logger, queue } = this.host;
    let refused = 0;
    for (const call of perCall(batch)) {
      // ack.lua reads the lane's replies field from the call id.
      const callId = `${this.workerId}:${lane}:${++this.calls}`;
      const { leases, args } = groupByTake(call);
      const since = performance.now();
      let answer: string;
      try {
        answer = await retrying(
          () =>
            scripts.octoQueueAck(
              keys.takes,
              keys.items,
              keys.lease,
              keys.stalls,
              this.host.repliesKey,
              keys.dedup,
              keys.keyOf,
              keys.taken,
              callId,
              this.host.repliesTtlMs,
              ...args,
            ),
          () => {
            const now = performance.now();
            return now - since < this.host.leaseMs && leases.every((lease) => now < lease.localExpiry);
          },
          (err, attempt) =>
            logger.warn({ err, queue, items: leases.length, attempt }, "ack failed; retrying"),
          // The handlers' work is done: worth more tries than other calls even when Redis refused.
          ACK_REFUSED_ATTEMPTS,
        );
      } catch (error) {
        this.host.failed(new AckFailedError(queue, leases.length, error), leases);
        continue;
      }
      leases.forEach((lease, i) => {
        const code = ackCode(answer, i);
        if (code !== LEASE_HELD) refused++;
        this.host.ended(lease, code);
      });
    }
    if (refused > 0) {
      logger.warn(
        { queue, refused },
        "acks refused: their leases had run out and the items were taken again",
      );
    }
  }
}

/**
 * An ack call's arguments: per take, its token and its items' ids as one string separated by
 * spaces (see ack.lua), so a token is sent once per take and ioredis encodes one argument per take
 * rather than one per item. `leases` is `call` in the order the arguments name them, which is
 * the order of the answer's codes.
 */
export function groupByTake(call: Lease[]): { leases: Lease[]; args: string[] } {
  const byToken = new Map<string, Lease[]>();
  for (const lease of call) {
    const group = byToken.get(lease.token);
    if (group) group.push(lease);
    else byToken.set(lease.token, [lease]);
  }
  if (byToken.size === 1) return { leases: call, args: [call[0]!.token, idsOf(call)] };
  const leases: Lease[] = [];
  const args: string[] = [];
  for (const [token, group] of byToken) {
    args.push(token, idsOf(group));
    leases.push(...group);
  }
  return { leases, args };
}

/** Ids are digits and '-' (made by the queue's scripts): a space never occurs in one. */
function idsOf(leases: Lease[]): string {
  let joined = leases[0]?.id ?? "";
  for (let i = 1; i < leases.length; i++) joined += ` ${leases[i]!.id}`;
  return joined;
}
