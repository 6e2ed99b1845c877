import { Writable } from "node:stream";

/** A serialized error as read back from a line, cause by cause. */
export interface ErrorInLine {
  type?: unknown;
  message?: unknown;
  stack?: unknown;
  cause?: ErrorInLine;
}

/** An in-memory destination that keeps what the logger wrote, as raw text and as parsed JSON lines. */
export interface CapturedLines {
  destination: Writable;
  /** Everything written, byte for byte. */
  raw(): string;
  /** Every line parsed as JSON. */
  lines(): Record<string, unknown>[];
  /** The only line written; fails the test when there is not exactly one. */
  only(): Record<string, unknown>;
}

export function captureLines(options: { isTTY?: boolean } = {}): CapturedLines {
  let text = "";
  const destination = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  if (options.isTTY) Object.assign(destination, { isTTY: true });
  const lines = () =>
    text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    destination,
    raw: () => text,
    lines,
    only() {
      const all = lines();
      if (all.length !== 1) throw new Error(`expected exactly one line, got ${all.length}:\n${text}`);
      return all[0] as Record<string, unknown>;
    },
  };
}
