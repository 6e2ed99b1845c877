import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Options for a `redis-server` a test owns. */
export interface RedisServerOptions {
  /** Keep data across `restart()` with an append-only file. */
  appendOnly?: boolean;
  /** With `appendOnly`: `always` makes every acknowledged write survive a SIGKILL. */
  appendFsync?: "always" | "everysec" | "no";
  /** More `redis-server` arguments, e.g. `["--cluster-enabled", "yes"]`. */
  args?: string[];
  /** A fixed port; a free one is chosen when absent. */
  port?: number;
}

/** Where spawned servers are recorded, so the run's teardown can stop any a crashed test left. */
function registryDir(): string {
  const run = process.env.OCTO_TEST_RUN_ID ?? "adhoc";
  const dir = join(tmpdir(), "octo-test-redis", run);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function hasRedisServerBinary(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not find a free port"));
      });
    });
  });
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/**
 * A `redis-server` process on a loopback port, in its own temporary directory. `restart()`
 * keeps the port (and, with `appendOnly`, the data), so clients reconnect to the same address.
 */
export class RedisServerProcess {
  readonly port: number;
  readonly dir: string;
  private child: ChildProcess | undefined;
  private readonly options: RedisServerOptions;
  private readonly record: string;

  private constructor(port: number, options: RedisServerOptions) {
    this.port = port;
    this.options = options;
    this.dir = mkdtempSync(join(tmpdir(), "octo-redis-"));
    this.record = join(registryDir(), `${port}-${randomUUID()}.json`);
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServerProcess> {
    for (let attempt = 0; ; attempt++) {
      const server = new RedisServerProcess(options.port ?? (await freePort()), options);
      try {
        await server.launch();
        return server;
      } catch (error) {
        rmSync(server.dir, { recursive: true, force: true });
        // Another process can take the free port between the probe and the bind; try another.
        if (options.port !== undefined || attempt >= 4) throw error;
      }
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private args(): string[] {
    const args = [
      "--port",
      String(this.port),
      "--bind",
      "127.0.0.1",
      "--dir",
      this.dir,
      "--save",
      "",
      "--daemonize",
      "no",
      "--protected-mode",
      "no",
      "--loglevel",
      "notice",
      "--logfile",
      "",
    ];
    if (this.options.appendOnly) {
      args.push("--appendonly", "yes", "--appendfsync", this.options.appendFsync ?? "always");
    } else {
      args.push("--appendonly", "no");
    }
    return [...args, ...(this.options.args ?? [])];
  }

  private async launch(): Promise<void> {
    const child = spawn("redis-server", this.args(), { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    live.add(child);
    child.once("exit", () => live.delete(child));
    writeFileSync(
      this.record,
      JSON.stringify({ pid: child.pid, port: this.port, dir: this.dir, owner: process.pid }),
    );
    await new Promise<void>((resolve, reject) => {
      let output = "";
      const timer = setTimeout(
        () => fail(new Error(`redis-server on port ${this.port} did not start in 10 s:\n${output}`)),
        10_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/Ready to accept connections/i.test(output)) {
          clearTimeout(timer);
          child.stdout?.off("data", onData);
          child.stdout?.resume();
          child.stderr?.resume();
          resolve();
        }
      };
      const fail = (error: Error) => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(error);
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once("error", fail);
      child.once("exit", (code, signal) => {
        fail(
          new Error(
            `redis-server on port ${this.port} exited (${code ?? signal}) before it was ready:\n${output}`,
          ),
        );
      });
    });
    // From here on an exit is expected or reported by clients; it must not reject the start.
    child.removeAllListeners("exit");
    child.once("exit", () => live.delete(child));
  }

  private async waitForExit(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    await new Promise<void>((resolve) => child.once("exit", () => resolve()));
  }

  /** Stops the server the way an orchestrator does (SIGTERM: it flushes the append-only file). */
  async terminate(): Promise<void> {
    if (!this.running) return;
    this.child?.kill("SIGTERM");
    await this.waitForExit();
  }

  /** Kills the server with no chance to flush anything, like a crashed host. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child?.kill("SIGKILL");
    await this.waitForExit();
  }

  /** Starts the server again on the same port and directory, after `terminate()` or `kill()`. */
  async startAgain(): Promise<void> {
    if (this.running) throw new Error(`redis-server on port ${this.port} is still running; stop it first`);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.launch();
        return;
      } catch (error) {
        // The kernel may hold the port for a moment after the old process died.
        if (attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async restart(): Promise<void> {
    await this.terminate();
    await this.startAgain();
  }

  /** Stops the server and removes its files. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
    try {
      unlinkSync(this.record);
    } catch {
      // already reaped
    }
  }
}

/** Which recorded servers `reapOrphanedServers` stops. */
export interface ReapOptions {
  /**
   * Stop only servers whose owner (the process that spawned them) is gone, and leave every other
   * record alone: safe while other test files run. Without it every server of the run is stopped,
   * which only the run's teardown may do, once no test file is running.
   */
  ownerGone?: boolean;
}

interface ServerRecord {
  pid: number;
  dir: string;
  /** The process that spawned the server; absent in records written before it was recorded. */
  owner?: number;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Kills the servers recorded for this test run that are still alive, and removes their files. */
export async function reapOrphanedServers({ ownerGone = false }: ReapOptions = {}): Promise<number> {
  const dir = registryDir();
  let reaped = 0;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    let record: ServerRecord;
    try {
      record = JSON.parse(readFileSync(file, "utf8")) as ServerRecord;
    } catch {
      // A record being written as we read; the next teardown sees it.
      if (!ownerGone) rmSync(file, { force: true });
      continue;
    }
    if (ownerGone && (record.owner === undefined || processExists(record.owner))) continue;
    try {
      process.kill(record.pid, "SIGKILL");
      reaped++;
    } catch {
      // not running any more
    }
    rmSync(record.dir, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
  if (!ownerGone) rmSync(dir, { recursive: true, force: true });
  return reaped;
}
