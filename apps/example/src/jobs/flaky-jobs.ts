import { cron, job, query } from "@octo/runner";
import { inject } from "inversify";
import type { Redis } from "ioredis";
import { RunRecorder } from "../recorder.js";
import { schedule } from "../schedule.js";

/** The Redis client jobs may use, bound in the container by `main.ts`. */
export const REDIS = Symbol.for("Redis");

interface Payment {
  id: string;
}

let tick = 0;

/**
 * Failure handling. `charge` fails on its first attempt and succeeds on the retry (attempts are
 * counted in Redis, so the retry may run on any instance). `import-legacy` always fails, so
 * after its retries the item lands in the queue's dead letter, where `requeue()` can fetch it.
 */
@cron("payments")
export class FlakyJobs {
  @inject(REDIS) private readonly redis!: Redis;
  @inject(RunRecorder.token) private readonly recorder!: RunRecorder;

  @query("charge")
  async paymentsDue(): Promise<Payment[]> {
    tick++;
    return [{ id: `payment-${Date.now()}-${tick}` }];
  }

  @job("charge", schedule("*/6 * * * * *", "*/5 * * * *"), { retries: 2, timeout: "1s" })
  async charge(payment: Payment): Promise<void> {
    const key = `octo-example:attempts:${payment.id}`;
    const attempt = await this.redis.incr(key);
    await this.redis.expire(key, 3600);
    if (attempt === 1) {
      console.log(`[payments.charge] retry: attempt 1 for ${payment.id} fails (will retry)`);
      throw new Error(`payment gateway timed out for ${payment.id}`);
    }
    console.log(`[payments.charge] retry: attempt ${attempt} for ${payment.id} succeeded`);
    await this.recorder.record("payments.charge", payment.id);
  }

  @query("import-legacy")
  async legacyRows(): Promise<Payment[]> {
    return [{ id: `legacy-${Date.now()}` }];
  }

  @job("import-legacy", schedule("*/8 * * * * *", "0 4 * * *"), { retries: 1, timeout: "1s" })
  async importLegacy(row: Payment): Promise<void> {
    console.log(`[payments.import-legacy] dead letter: ${row.id} fails every attempt`);
    throw new Error(`legacy row ${row.id} has no customer`);
  }
}
