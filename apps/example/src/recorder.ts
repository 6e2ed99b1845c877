import type { Redis } from "ioredis";

/** Where the multi-instance demo keeps what ran where; read by `cluster.ts`. */
export const RECORD_KEY = "octo-example:runs";

/**
 * Records each run (job, the second it started, which instance) when
 * `OCTO_EXAMPLE_RECORD=1`, so the cluster demo can show that every tick ran on one instance.
 */
export class RunRecorder {
  static readonly token = Symbol.for("RunRecorder");
  private readonly enabled = process.env.OCTO_EXAMPLE_RECORD === "1";

  constructor(
    private readonly redis: Redis,
    readonly instance: string,
  ) {}

  async record(job: string, item?: string): Promise<void> {
    if (!this.enabled) return;
    const second = Math.round(Date.now() / 1000);
    await this.redis.rpush(RECORD_KEY, JSON.stringify({ job, second, instance: this.instance, item }));
  }
}
