import { describeThrown, type LoggerLike } from "@octo/internal";
import { acquireFencedLock, type FencedLock } from "@octo/redis-lock";
import type { Cluster, Redis } from "ioredis";
import { runLeaseRenewEveryMs } from "./decisions";
import { abortableSleep } from "./sleep";

/** What a run needs to take its job's lease. */
export interface RunLeaseRequest {
  redis: Redis | Cluster;
  prefix: string;
  /** Lock name, `job:<full name>`. */
  name: string;
  owner: string;
  periodMs: number;
  /** How long to keep trying while another run holds the job. */
  waitMs: number;
  /** Stops waiting (the runner is stopping). */
  signal: AbortSignal;
  logger: LoggerLike;
}

/** A held run lease, renewed until `release()`. */
export interface RunLease {
  release(): Promise<void>;
}

const POLL_MS = 50;

/**
 * Takes the job's short run lease, waiting up to `waitMs` while another run holds it; `null` when
 * it stayed held or the runner stopped meanwhile. The lease is renewed every third of its period
 * while the run lives, so a run whose process died frees the job within one period, whatever the
 * job's maxComputeTime.
 */
export async function takeRunLease(request: RunLeaseRequest): Promise<RunLease | null> {
  const { redis, prefix, name, owner, periodMs, waitMs, signal, logger } = request;
  const deadline = Date.now() + waitMs;
  let lock: FencedLock | null = null;
  for (;;) {
    if (signal.aborted) return null;
    lock = await acquireFencedLock(redis, name, owner, periodMs, { prefix });
    if (lock || Date.now() >= deadline || signal.aborted) break;
    await abortableSleep(POLL_MS, signal);
  }
  if (!lock) return null;
  return keepRenewed(lock, periodMs, logger);
}

function keepRenewed(lock: FencedLock, periodMs: number, logger: LoggerLike): RunLease {
  let timer: NodeJS.Timeout | undefined;
  let renewing: Promise<void> | undefined;
  let lost = false;
  let released = false;
  const schedule = () => {
    timer = setTimeout(() => {
      renewing = renew().finally(() => {
        renewing = undefined;
        if (!released) schedule();
      });
    }, runLeaseRenewEveryMs(periodMs));
  };
  const renew = async () => {
    try {
      const held = await lock.extend();
      if (!held && !lost) {
        lost = true;
        logger.warn(
          { lease: lock.group, owner: lock.owner },
          "the run lost its lease (Redis unreachable longer than the lease period?); another tick may run alongside",
        );
      }
    } catch (err) {
      // Redis unreachable: the next renewal tries again; the lease lasts a whole period meanwhile.
      logger.debug({ err: describeThrown(err), lease: lock.group }, "run lease renewal failed; retrying");
    }
  };
  schedule();
  return {
    async release() {
      released = true;
      clearTimeout(timer);
      await renewing;
      try {
        const freed = await lock.release();
        if (!freed && !lost) {
          logger.warn(
            { lease: lock.group, owner: lock.owner },
            "the run's lease had expired before its release",
          );
        }
      } catch (err) {
        logger.warn(
          { err: describeThrown(err), lease: lock.group },
          "could not release the run's lease; it expires on its own within its period",
        );
      }
    },
  };
}
