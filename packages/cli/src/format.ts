/** How a table column lines up its cells. */
export type Align = "left" | "right";

/** One column of a table: its header and how it aligns. */
export interface Column {
  header: string;
  align?: Align;
}

/** Shown in a cell that has no value. */
export const NONE = "-";

/**
 * Lines of a table for people: a header row, columns two spaces apart and padded to their widest
 * cell, numbers right-aligned. The last column is not padded, so lines carry no trailing spaces.
 */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const cells = [columns.map((c) => c.header), ...rows.map((row) => row.map(printable))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  return cells.map((row) =>
    row
      .map((cell, i) => {
        if (i === columns.length - 1 && columns[i]?.align !== "right") return cell;
        const width = widths[i] ?? 0;
        return columns[i]?.align === "right" ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd(),
  );
}

/** A date in ISO 8601, to the second, in UTC: `2026-03-01T08:00:00Z`. */
export function isoDate(date: Date | null): string {
  if (date === null || Number.isNaN(date.getTime())) return NONE;
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A duration as people read it: `840 ms`, `2.5 s`, `3 min 20 s`, `2 h 5 min`, `3 d 4 h`. */
export function readableDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return NONE;
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${trim(ms / 1000)} s`;
  const s = Math.floor(ms / 1000);
  const two = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;
  if (s < 3600) return two(Math.floor(s / 60), "min", s % 60, "s");
  if (s < 86_400) return two(Math.floor(s / 3600), "h", Math.floor((s % 3600) / 60), "min");
  return two(Math.floor(s / 86_400), "d", Math.floor((s % 86_400) / 3600), "h");
}

function trim(seconds: number): string {
  return seconds < 10 ? seconds.toFixed(1).replace(/\.0$/, "") : String(Math.floor(seconds));
}

/** Text cut to `max` characters, with `…` when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A cell on one line with no terminal control sequences: text from Redis (errors, items, names)
 * could hold line breaks that would break the columns, or escape codes a terminal would obey.
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === "\n" || c === "\t" ? " " : "?"));
}
