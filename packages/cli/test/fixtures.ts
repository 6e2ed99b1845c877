import "reflect-metadata";
import { execFile } from "node:child_process";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { cron, JobRunner, job, RedisQueue } from "@octo/runner";
import type { TestRedis } from "@octo/testing";
import { Container } from "inversify";
import type { Redis } from "ioredis";

/** How many times each job ran in this process, for the run-request check. */
export const runCounts = new Map<string, number>();
const count = (name: string) => runCounts.set(name, (runCounts.get(name) ?? 0) + 1);

@cron("billing")
export class BillingJobs {
  @job("invoice", "0 * * * *")
  async invoice() {
    count("billing.invoice");
  }

  @job("broken", "30 2 * * 1-5", { timezone: "Europe/Berlin" })
  async broken() {
    count("billing.broken");
    throw new Error("card declined\nby the bank");
  }
}

export const JOB_NAMES = ["billing.broken", "billing.invoice"];

/** A runner on the test Redis with the jobs above registered. */
export async function startRunner(redis: TestRedis, instanceId: string): Promise<JobRunner> {
  const runner = new JobRunner(new Container(), { instanceId });
  await runner.start(redis.client());
  return runner;
}

/** Puts `count` items in queue `name` and fails each once, so all become dead letters. */
export async function deadLetters(client: Redis, name: string, count: number): Promise<void> {
  const queue = new RedisQueue<{ n: number }>(name, client, { retries: 0, timeout: "10ms" });
  await queue.fill(Array.from({ length: count }, (_, n) => ({ n })));
  await queue.work(
    async (item) => {
      throw new Error(`cannot send ${item.n}`);
    },
    { drainGraceMs: 100 },
  );
}

const DIST = new URL("../dist/", import.meta.url);
const BIN = fileURLToPath(new URL("bin.js", DIST));

/** What one run of the built `octo-jobs` printed, its exit code and how long it took. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node dist/bin.js <args>` as a user's shell would, with `env` added to this process's. */
export function octoJobs(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

/**
 * Runs one command line in this process through the built package's `runCli`, for the many
 * wrong command lines whose exit code and message need no process of their own.
 */
export async function octoJobsInProcess(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const { runCli } = (await import(new URL("index.js", DIST).href)) as typeof import("../src/index");
  let stdout = "";
  let stderr = "";
  const started = Date.now();
  const sink = (write: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        write(String(chunk));
        done();
      },
    });
  const code = await runCli(args, {
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink((text) => {
      stderr += text;
    }),
    env,
  });
  return { code, stdout, stderr, ms: Date.now() - started };
}
