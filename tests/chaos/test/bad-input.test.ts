import "reflect-metadata";
import {
  cron,
  DecoratorError,
  daily,
  hourly,
  InvalidJobConfigError,
  InvalidNameError,
  InvalidScheduleError,
  job,
  monthly,
  query,
  weekly,
} from "@octo/decorators";
import {
  acquireFencedLock,
  acquireLock,
  extendLock,
  InvalidArgumentError as LockInvalidArgumentError,
  releaseLock,
  withLock,
} from "@octo/redis-lock";
import {
  InvalidArgumentError as QueueInvalidArgumentError,
  RedisQueue,
  UnencodableItemError,
} from "@octo/redis-queue";
import {
  InvalidRunnerArgumentError,
  JobRunner,
  RunnerAlreadyStartedError,
  RunnerNotStartedError,
  UnknownJobError,
} from "@octo/runner";
import { startRedis, type TestRedis } from "@octo/testing";
import { Container } from "inversify";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { snapshotKeys, summary } from "./support";

@cron("bad-input")
class BadInputJobs {
  @job("noop", "0 0 1 1 *")
  async noop() {}
}
void BadInputJobs;

let redis: TestRedis;
let client: Redis;
let closed: Redis;
/** Started in beforeAll, so its keys are part of every snapshot. */
let runner: JobRunner;
beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
  closed = redis.client();
  await closed.quit();
  // Some state a bad call could damage: a held lock and a queue with items.
  await acquireLock(client, "held", "owner-a", "1h");
  await new RedisQueue<{ n: number }>("existing", client).fill([{ n: 1 }, { n: 2 }]);
  runner = new JobRunner(new Container(), { instanceId: "bad-input" });
  await runner.start(client);
});
afterAll(async () => {
  await runner?.stop();
  await redis?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: the point is to pass what the types forbid
type Any = any;
const fn = async () => undefined;
const circular: Record<string, unknown> = {};
circular.self = circular;

/** Applies a method decorator to a fresh class, the way TypeScript does for `@decorator method() {}`. */
function decorate(decorator: MethodDecorator): void {
  class Target {
    method() {}
  }
  const descriptor = Object.getOwnPropertyDescriptor(Target.prototype, "method");
  decorator(Target.prototype, "method", descriptor as PropertyDescriptor);
}

interface Case {
  call: string;
  run: () => unknown;
  error: abstract new (...args: Any[]) => Error;
  code: string;
  /** The message must name the value that was wrong. */
  mentions: string;
}

const LOCK = "ERR_OCTO_INVALID_ARGUMENT";
const cases: Case[] = [
  // @octo/redis-lock
  {
    call: 'acquireLock(redis, "", owner, "1s")',
    run: () => acquireLock(client, "", "o", "1s"),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: '""',
  },
  {
    call: "acquireLock(redis, 42, owner, ...)",
    run: () => acquireLock(client, 42 as Any, "o", "1s"),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: "42",
  },
  {
    call: 'acquireLock(redis, g, "", ...)',
    run: () => acquireLock(client, "g", "", "1s"),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: '""',
  },
  {
    call: 'acquireLock(..., "banana")',
    run: () => acquireLock(client, "g", "o", "banana"),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: "banana",
  },
  {
    call: "acquireLock(..., -5)",
    run: () => acquireLock(client, "g", "o", -5),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: "-5",
  },
  {
    call: "acquireLock(..., 0)",
    run: () => acquireLock(client, "g", "o", 0),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: "0",
  },
  {
    call: "acquireLock(..., NaN)",
    run: () => acquireLock(client, "g", "o", Number.NaN),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: "NaN",
  },
  {
    call: "acquireLock(not a client, ...)",
    run: () => acquireLock({} as Any, "g", "o", "1s"),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: "redis",
  },
  {
    call: "releaseLock(redis, held, null)",
    run: () => releaseLock(client, "held", null as Any),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: "null",
  },
  {
    call: 'extendLock(redis, held, owner-a, "never")',
    run: () => extendLock(client, "held", "owner-a", "never"),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: "never",
  },
  {
    call: 'acquireFencedLock(redis, "", ...)',
    run: () => acquireFencedLock(client, "", "o", "1s"),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: '""',
  },
  {
    call: "withLock(redis, g, not a function)",
    run: () => withLock(client, "g", "nope" as Any),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: "nope",
  },
  {
    call: 'withLock(..., { period: "1 fortnight-ish" })',
    run: () => withLock(client, "g", fn, { period: "1 fortnight-ish" as Any }),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: "fortnight",
  },
  {
    call: "withLock(..., { prefix: '' })",
    run: () => withLock(client, "g", fn, { prefix: "" }),
    error: LockInvalidArgumentError,
    code: LOCK,
    mentions: '""',
  },
  // @octo/redis-queue
  {
    call: 'new RedisQueue("", redis)',
    run: () => new RedisQueue("", client),
    error: QueueInvalidArgumentError,
    code: LOCK,
    mentions: '""',
  },
  {
    call: "new RedisQueue(7, redis)",
    run: () => new RedisQueue(7 as Any, client),
    error: QueueInvalidArgumentError,
    code: LOCK,
    mentions: "7",
  },
  {
    call: "new RedisQueue(q, not a client)",
    run: () => new RedisQueue("q", "redis://x" as Any),
    error: QueueInvalidArgumentError,
    code: LOCK,
    mentions: "redis",
  },
  {
    call: "new RedisQueue(q, redis, -1)",
    run: () => new RedisQueue("q", client, -1),
    error: QueueInvalidArgumentError,
    code: LOCK,
    mentions: "-1",
  },
  {
    call: "new RedisQueue(q, redis, 1.5)",
    run: () => new RedisQueue("q", client, 1.5),
    error: QueueInvalidArgumentError,
    code: LOCK,
    mentions: "1.5",
  },
  {
    call: 'new RedisQueue(q, redis, 3, "forever")',
    run: () => new RedisQueue("q", client, 3, "forever"),
    error: QueueInvalidArgumentError,
    code: LOCK,
    mentions: "forever",
  },
  {
    call: "new RedisQueue(q, redis, { leaseTime: -1 })",
    run: () => new RedisQueue("q", client, { leaseTime: -1 }),
    error: QueueInvalidArgumentError,
    code: LOCK,
    mentions: "-1",
  },
  {
    call: "new RedisQueue(q, redis, { batchSize: 0 })",
    run: () => new RedisQueue("q", client, { batchSize: 0 }),
    error: QueueInvalidArgumentError,
    code: LOCK,
    mentions: "0",
  },
  {
    call: "fill(not an array)",
    run: () => new RedisQueue("q", client).fill("abc" as Any),
    error: QueueInvalidArgumentError,
    code: LOCK,
    mentions: "abc",
  },
  {
    call: "fill([bigint])",
    run: () => new RedisQueue<unknown>("q", client).fill([{ ok: 1 }, 10n]),
    error: UnencodableItemError,
    code: "ERR_OCTO_UNENCODABLE_ITEM",
    mentions: "item 1",
  },
  {
    call: "fill([circular])",
    run: () => new RedisQueue<unknown>("q", client).fill([circular]),
    error: UnencodableItemError,
    code: "ERR_OCTO_UNENCODABLE_ITEM",
    mentions: "item 0",
  },
  {
    call: "fill() on a queue with items, bad item",
    run: () => new RedisQueue<unknown>("existing", client).fill([circular]),
    error: UnencodableItemError,
    code: "ERR_OCTO_UNENCODABLE_ITEM",
    mentions: "item 0",
  },
  {
    call: "work(not a function)",
    run: () => new RedisQueue("existing", client).work("nope" as Any),
    error: QueueInvalidArgumentError,
    code: LOCK,
    mentions: "nope",
  },
  {
    call: "work(fn, { parallelism: 0 })",
    run: () => new RedisQueue("existing", client).work(fn, { parallelism: 0 }),
    error: QueueInvalidArgumentError,
    code: LOCK,
    mentions: "0",
  },
  {
    call: "work(fn, { parallelism: 2.5 })",
    run: () => new RedisQueue("existing", client).work(fn, { parallelism: 2.5 }),
    error: QueueInvalidArgumentError,
    code: LOCK,
    mentions: "2.5",
  },
  {
    call: "deadLetters(-1)",
    run: () => new RedisQueue("existing", client).deadLetters(-1),
    error: QueueInvalidArgumentError,
    code: LOCK,
    mentions: "-1",
  },
  // @octo/decorators
  {
    call: '@cron("")',
    run: () => cron("")(class Empty {}),
    error: InvalidNameError,
    code: "ERR_OCTO_INVALID_NAME",
    mentions: '""',
  },
  {
    call: "@cron(3)",
    run: () => cron(3 as Any)(class Three {}),
    error: InvalidNameError,
    code: "ERR_OCTO_INVALID_NAME",
    mentions: "3",
  },
  {
    call: '@job("", "* * * * *")',
    run: () => decorate(job("", "* * * * *")),
    error: InvalidNameError,
    code: "ERR_OCTO_INVALID_NAME",
    mentions: '""',
  },
  {
    call: '@job(n, "61 * * * *")',
    run: () => decorate(job("n", "61 * * * *")),
    error: InvalidScheduleError,
    code: "ERR_OCTO_INVALID_SCHEDULE",
    mentions: "61 * * * *",
  },
  {
    call: '@job(n, "every day")',
    run: () => decorate(job("n", "every day")),
    error: InvalidScheduleError,
    code: "ERR_OCTO_INVALID_SCHEDULE",
    mentions: "every day",
  },
  {
    call: "@job(n, 5)",
    run: () => decorate(job("n", 5 as Any)),
    error: InvalidScheduleError,
    code: "ERR_OCTO_INVALID_SCHEDULE",
    mentions: "5",
  },
  {
    call: "@job(n, s, { retries: -1 })",
    run: () => decorate(job("n", "* * * * *", { retries: -1 })),
    error: InvalidJobConfigError,
    code: "ERR_OCTO_INVALID_JOB_CONFIG",
    mentions: "-1",
  },
  {
    call: "@job(n, s, { retries: 0.5 })",
    run: () => decorate(job("n", "* * * * *", { retries: 0.5 })),
    error: InvalidJobConfigError,
    code: "ERR_OCTO_INVALID_JOB_CONFIG",
    mentions: "0.5",
  },
  {
    call: '@job(n, s, { timeout: "soon" })',
    run: () => decorate(job("n", "* * * * *", { timeout: "soon" })),
    error: InvalidJobConfigError,
    code: "ERR_OCTO_INVALID_JOB_CONFIG",
    mentions: "soon",
  },
  {
    call: "@job(n, s, { maxComputeTime: -1 })",
    run: () => decorate(job("n", "* * * * *", { maxComputeTime: -1 })),
    error: InvalidJobConfigError,
    code: "ERR_OCTO_INVALID_JOB_CONFIG",
    mentions: "-1",
  },
  {
    call: '@job(n, s, { timezone: "Mars/Olympus" })',
    run: () => decorate(job("n", "* * * * *", { timezone: "Mars/Olympus" })),
    error: InvalidJobConfigError,
    code: "ERR_OCTO_INVALID_JOB_CONFIG",
    mentions: "Mars/Olympus",
  },
  {
    call: "@job(n, s, { parallelism: 0 })",
    run: () => decorate(job("n", "* * * * *", { parallelism: 0 })),
    error: InvalidJobConfigError,
    code: "ERR_OCTO_INVALID_JOB_CONFIG",
    mentions: "0",
  },
  {
    call: '@hourly("")',
    run: () => decorate(hourly("")),
    error: InvalidNameError,
    code: "ERR_OCTO_INVALID_NAME",
    mentions: '""',
  },
  {
    call: "@daily(n, { retries: -2 })",
    run: () => decorate(daily("n", { retries: -2 })),
    error: InvalidJobConfigError,
    code: "ERR_OCTO_INVALID_JOB_CONFIG",
    mentions: "-2",
  },
  {
    call: '@weekly(n, { timeout: "x" })',
    run: () => decorate(weekly("n", { timeout: "x" })),
    error: InvalidJobConfigError,
    code: "ERR_OCTO_INVALID_JOB_CONFIG",
    mentions: '"x"',
  },
  {
    call: "@monthly(null)",
    run: () => decorate(monthly(null as Any)),
    error: InvalidNameError,
    code: "ERR_OCTO_INVALID_NAME",
    mentions: "null",
  },
  {
    call: '@query("")',
    run: () => decorate(query("")),
    error: InvalidNameError,
    code: "ERR_OCTO_INVALID_NAME",
    mentions: '""',
  },
  // @octo/runner
  {
    call: "new JobRunner(not a container)",
    run: () => new JobRunner({} as Any),
    error: InvalidRunnerArgumentError,
    code: LOCK,
    mentions: "container must be an inversify Container",
  },
  {
    call: "new JobRunner(undefined)",
    run: () => new JobRunner(undefined as Any),
    error: InvalidRunnerArgumentError,
    code: LOCK,
    mentions: "got undefined",
  },
  {
    call: 'new JobRunner(c, { prefix: "" })',
    run: () => new JobRunner(new Container(), { prefix: "" }),
    error: InvalidRunnerArgumentError,
    code: LOCK,
    mentions: 'options.prefix must be a non-empty string, got ""',
  },
  {
    call: "new JobRunner(c, { minClaimTtl: -1 })",
    run: () => new JobRunner(new Container(), { minClaimTtl: -1 }),
    error: InvalidRunnerArgumentError,
    code: LOCK,
    mentions: "options.minClaimTtl must be a positive number of ms, got -1",
  },
  {
    call: "start(not a client)",
    run: () => new JobRunner(new Container()).start({} as Any),
    error: InvalidRunnerArgumentError,
    code: LOCK,
    mentions: "redis must be an ioredis Redis or Cluster client",
  },
  {
    call: "start(a URL string)",
    run: () => new JobRunner(new Container()).start("redis://127.0.0.1:6379" as Any),
    error: InvalidRunnerArgumentError,
    code: LOCK,
    mentions: '"redis://127.0.0.1:6379"',
  },
  {
    call: "start(a closed client)",
    run: () => new JobRunner(new Container()).start(closed),
    error: InvalidRunnerArgumentError,
    code: LOCK,
    mentions: "closed by quit() or disconnect()",
  },
  {
    call: 'start(redis, "console")',
    run: () => new JobRunner(new Container()).start(client, "console" as Any),
    error: InvalidRunnerArgumentError,
    code: LOCK,
    mentions: 'logger must be a logger with debug, info, warn and error methods, got "console"',
  },
  {
    call: "start() a second time",
    run: () => runner.start(client),
    error: RunnerAlreadyStartedError,
    code: "ERR_OCTO_RUNNER_ALREADY_STARTED",
    mentions: '"bad-input" was already started',
  },
  {
    call: 'run("unknown")',
    run: () => runner.run("unknown"),
    error: UnknownJobError,
    code: "ERR_OCTO_UNKNOWN_JOB",
    mentions: 'unknown job "unknown"; known jobs: "bad-input.noop"',
  },
  {
    call: 'stop("unknown")',
    run: () => runner.stop("unknown"),
    error: UnknownJobError,
    code: "ERR_OCTO_UNKNOWN_JOB",
    mentions: 'unknown job "unknown"; known jobs: "bad-input.noop"',
  },
  {
    call: "run(42)",
    run: () => runner.run(42 as Any),
    error: InvalidRunnerArgumentError,
    code: LOCK,
    mentions: 'name must be a job\'s full name as a string (known jobs: "bad-input.noop"), got 42',
  },
  {
    call: "stop(null)",
    run: () => runner.stop(null as Any),
    error: InvalidRunnerArgumentError,
    code: LOCK,
    mentions: "got null",
  },
  {
    call: "stop({ name })",
    run: () => runner.stop({ name: "bad-input.noop" } as Any),
    error: InvalidRunnerArgumentError,
    code: LOCK,
    mentions: 'got {"name":"bad-input.noop"}',
  },
  {
    call: "status(not a client)",
    run: () => new JobRunner(new Container()).status({ get: () => null } as Any),
    error: InvalidRunnerArgumentError,
    code: LOCK,
    mentions: "redis must be an ioredis Redis or Cluster client",
  },
  {
    call: "run(name) before start",
    run: () => new JobRunner(new Container()).run("bad-input.noop"),
    error: RunnerNotStartedError,
    code: "ERR_OCTO_RUNNER_NOT_STARTED",
    mentions: "call start(redis, logger) first",
  },
];

describe("bad input", () => {
  let typed = 0;
  test.each(cases)(
    "$call → $error.name ($code) naming the value, Redis unchanged",
    async ({ run, error, code, mentions }) => {
      const before = await snapshotKeys(client);
      let thrown: unknown;
      try {
        await run();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, "expected an error").toBeInstanceOf(error);
      expect((thrown as { code?: string }).code).toBe(code);
      expect((thrown as Error).message).toContain(mentions);
      expect(await snapshotKeys(client)).toEqual(before);
      typed++;
    },
  );

  test("a closed Redis client: every call rejects with an error, writes nothing, and does not hang", async () => {
    const before = await snapshotKeys(client);
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["acquireLock", () => acquireLock(closed, "g", "o", "1s")],
      ["releaseLock", () => releaseLock(closed, "held", "owner-a")],
      ["extendLock", () => extendLock(closed, "held", "owner-a", "1s")],
      ["withLock", () => withLock(closed, "g", fn)],
      ["fill", () => new RedisQueue("q", closed).fill([1])],
      ["work", () => new RedisQueue("existing", closed).work(fn)],
      ["stats", () => new RedisQueue("existing", closed).stats()],
      ["JobRunner.start", () => new JobRunner(new Container()).start(closed)],
    ];
    const outcomes: string[] = [];
    for (const [name, call] of calls) {
      const outcome = await Promise.race([
        call().then(
          () => "resolved",
          (e: Error) => `rejected: ${e.message}`,
        ),
        new Promise<string>((resolve) => setTimeout(() => resolve("hung"), 5000)),
      ]);
      outcomes.push(`${name} ${outcome}`);
    }
    expect(outcomes.filter((o) => !/ rejected: .*closed/i.test(o))).toEqual([]);
    expect(await snapshotKeys(client)).toEqual(before);
  });

  test("every decorator error is a DecoratorError", () => {
    expect(() => decorate(job("n", "61 * * * *"))).toThrow(DecoratorError);
  });

  afterAll(() => {
    summary("bad-input", { cases: cases.length + 1, typed });
  });
});
