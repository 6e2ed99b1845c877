import { createRequire } from "node:module";
import { MissingPrettyPrinterError } from "./errors";

/** Turns one JSON log line into a readable one. */
export type RenderLine = (line: string) => string;

type PrettyFactory = (options: Record<string, unknown>) => RenderLine;

/**
 * Loads pino-pretty only when readable lines are wanted, so a service that logs JSON (any
 * production service) does not install or load it: it is an optional peer dependency.
 *
 * @param required `true` when the caller asked for `pretty: true` (a missing pino-pretty throws
 * `MissingPrettyPrinterError`); `false` when pretty output is only the default for a terminal
 * (a missing pino-pretty means JSON lines).
 * @returns the line renderer, or `undefined` when pino-pretty is absent and not required.
 */
export function loadPrettyPrinter(colorize: boolean, required: boolean): RenderLine | undefined {
  let prettyFactory: PrettyFactory;
  try {
    ({ prettyFactory } = requireHere()("pino-pretty") as { prettyFactory: PrettyFactory });
  } catch (error) {
    if (!isMissingPinoPretty(error)) throw error;
    if (required) throw new MissingPrettyPrinterError();
    return undefined;
  }
  // prettyFactory renders synchronously in this process; pino-pretty's stream form would move
  // lines through an extra stream and could lose the last lines on a crash.
  return prettyFactory({ colorize, ignore: "pid,hostname", translateTime: "SYS:standard" });
}

function isMissingPinoPretty(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === "MODULE_NOT_FOUND" && typeof message === "string" && message.includes("'pino-pretty'");
}

/**
 * A `require` that resolves from this package, so the user's own pino-pretty is found. The ESM build
 * has `import.meta.url`; the CommonJS build, and an app bundled to CommonJS, have an empty
 * `import.meta` and their own `require` instead.
 */
function requireHere(): NodeJS.Require {
  return typeof import.meta.url === "string" ? createRequire(import.meta.url) : require;
}
