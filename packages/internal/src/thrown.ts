/**
 * A readable one-line description of anything a handler threw. Errors give their message;
 * strings themselves; objects with a string `message` that message; other objects their JSON;
 * and values that cannot be rendered (null-prototype objects, throwing getters, cycles) a
 * description that never throws.
 */
export function describeThrown(value: unknown): string {
  try {
    if (value instanceof Error) return value.message || value.name;
    if (typeof value === "string") return value;
    if (value === null || value === undefined) return String(value);
    if (typeof value === "object") {
      const message = (value as { message?: unknown }).message;
      if (typeof message === "string" && message !== "") return message;
      const json = JSON.stringify(value);
      if (json !== undefined) return json;
    }
    if (typeof value === "symbol") return value.toString();
    return String(value);
  } catch {
    return `a thrown ${typeof value} that cannot be rendered`;
  }
}

/** `value` itself when it is an Error, else an Error whose message describes it and whose cause is it. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(describeThrown(value), { cause: value });
}
