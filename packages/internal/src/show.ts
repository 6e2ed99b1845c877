/** Renders a bad value the way a reader would type it: strings quoted, numbers as written. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  if (value === null || value === undefined) return String(value);
  if (typeof value === "function") return `a function (${value.name || "anonymous"})`;
  if (typeof value === "symbol") return value.toString();
  let name: unknown;
  try {
    name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  } catch {
    name = undefined;
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof name === "string" && name !== "" && name !== "Object" ? `a ${name}` : "an object";
}
