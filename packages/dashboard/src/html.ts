/**
 * HTML building blocks. Every value that may come from Redis reaches the page through
 * `escapeHtml` (the `html` tag escapes every interpolation that is not already `Html`), so an
 * item holding `<script>` shows as text.
 */

/** Markup that is already safe to place in a page. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

type Part = Html | string | number | null | undefined | readonly Part[];

/** A template tag: literal parts are markup, interpolations are escaped unless they are `Html`. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new Html(out);
}

function render(value: Part): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(value);
}

/** `2026-11-29 14:05:00 UTC`, in a `<time>` element a script may read. */
export function timeCell(date: Date | null, now: number): Html {
  if (date === null) return html`<span class="none">—</span>`;
  const text = `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
  return html`<time datetime="${date.toISOString()}">${text}</time> <span class="relative">(${relative(date.getTime() - now)})</span>`;
}

/** `in 42 s`, `3 min ago`. */
export function relative(deltaMs: number): string {
  const words = duration(Math.abs(deltaMs));
  return deltaMs >= 0 ? `in ${words}` : `${words} ago`;
}

/** A duration for people: `850 ms`, `42 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}
