import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";

export interface NodeProcessOptions {
  args?: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** A Node.js child process running a test fixture, with its output kept for assertions. */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first output line matching `pattern`; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Sends a signal and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

const tsxLoader = createRequire(import.meta.url).resolve("tsx");

/**
 * Runs a fixture (`.ts` through tsx, or plain `.js`/`.mjs`) in its own Node.js process: several
 * processes, not several objects in one, are what prove the distributed promises.
 */
export function startNodeProcess(file: string, options: NodeProcessOptions = {}): NodeProcess {
  const loader = /\.[cm]?ts$/.test(file) ? ["--import", tsxLoader] : [];
  const child = spawn(process.execPath, [...loader, file, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...process.env, FORCE_COLOR: "0", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let text = "";
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  let partial = "";
  const onData = (chunk: Buffer) => {
    const s = chunk.toString();
    text += s;
    partial += s;
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      for (const waiter of waiters) {
        if (waiter.pattern.test(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      children.delete(child);
      resolve(code ?? signal ?? "unknown");
    });
  });
  return {
    child,
    pid: child.pid ?? -1,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      const already = text.split("\n").find((line) => pattern.test(line));
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no line matching ${pattern} from ${file} in ${timeoutMs} ms; output:\n${text}`));
        }, timeoutMs);
        waiters.add(waiter);
        void exited.then((code) => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`${file} exited (${code}) before printing ${pattern}; output:\n${text}`));
        });
      });
    },
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
