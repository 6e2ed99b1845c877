import { JobRunner, type JobRunnerOptions } from "@octo/runner";
import { startRedis, type TestRedis } from "@octo/testing";
import { Container } from "inversify";
import { afterAll, beforeAll } from "vitest";

/**
 * Gives the test file its own Redis and in-process runners on it, all stopped after the file.
 * Read `redis` inside tests, once `beforeAll` has run.
 */
export function useRunners(): {
  readonly redis: TestRedis;
  start(instanceId: string, options?: Omit<JobRunnerOptions, "instanceId">): Promise<JobRunner>;
} {
  const runners: JobRunner[] = [];
  const state = {
    redis: undefined as unknown as TestRedis,
    async start(instanceId: string, options: Omit<JobRunnerOptions, "instanceId"> = {}): Promise<JobRunner> {
      const runner = new JobRunner(new Container(), { ...options, instanceId });
      runners.push(runner);
      await runner.start(state.redis.client());
      return runner;
    },
  };
  beforeAll(async () => {
    state.redis = await startRedis();
  });
  afterAll(async () => {
    for (const runner of runners) await runner.stop();
    await state.redis?.stop();
  });
  return state;
}
