import "reflect-metadata";
import { cron, JobRunner, job, RedisQueue } from "@octo/runner";
import type { TestRedis } from "@octo/testing";
import { Container } from "inversify";
import type { Redis } from "ioredis";

/** The payload the XSS tests put in a dead letter: it must show as text and never run. */
export const XSS_PAYLOAD = `<script>window.__octoXss = true</script><img src=x onerror="window.__octoXss = true">`;

/** How many times each job ran in this process, for run-now checks. */
export const runCounts = new Map<string, number>();
const count = (name: string) => runCounts.set(name, (runCounts.get(name) ?? 0) + 1);

@cron("billing")
export class BillingJobs {
  @job("invoice", "0 * * * *")
  async invoice() {
    count("billing.invoice");
  }

  @job("report", "30 2 * * 1-5", { timezone: "Europe/Berlin" })
  async report() {
    count("billing.report");
  }

  @job("broken", "0 0 1 1 *")
  async broken() {
    count("billing.broken");
    throw new Error(`card <declined> & "refused"`);
  }
}

@cron("mail")
export class MailJobs {
  @job("digest", "0 8 * * *", { timezone: "America/New_York" })
  async digest() {
    count("mail.digest");
  }
}

export const JOB_NAMES = ["billing.broken", "billing.invoice", "billing.report", "mail.digest"];

/** A runner on the test Redis with every job above registered. */
export async function startRunner(redis: TestRedis, instanceId: string): Promise<JobRunner> {
  const runner = new JobRunner(new Container(), { instanceId });
  await runner.start(redis.client());
  return runner;
}

/**
 * Puts `count` items in queue `name` and fails each once, so all become dead letters with the
 * error `cannot send <n>`; the item `{ n: xssAt }` carries the XSS payload.
 */
export async function deadLetters(client: Redis, name: string, count: number, xssAt = -1): Promise<void> {
  const queue = new RedisQueue<{ n: number; to: string }>(name, client, { retries: 0, timeout: "10ms" });
  const items = Array.from({ length: count }, (_, n) => ({
    n,
    to: n === xssAt ? XSS_PAYLOAD : `user${n}@example.com`,
  }));
  await queue.fill(items);
  await queue.work(
    async (item) => {
      throw new Error(`cannot send ${item.n}`);
    },
    { drainGraceMs: 100 },
  );
}
