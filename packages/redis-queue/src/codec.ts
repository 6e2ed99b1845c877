/** Turns items into strings stored in Redis and back. */
export interface Codec<T> {
  /** Throws for an item it cannot store as it is; `fill` then writes nothing of that batch. */
  encode(item: T): string;
  decode(text: string): T;
}

/** Thrown by `jsonCodec.encode`: `path` is where in the item the refused value sits. */
export class UnencodableValueError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path ? `${path}: ${reason}` : reason);
    this.name = "UnencodableValueError";
  }
}

/** A Date is stored as `{ "$octo:date": "<ISO 8601>" }`. */
const DATE_TAG = "$octo:date";
/** Prepended once more to a user's key that looks like a tag, so it cannot be read as one. */
const ESCAPE = "$octo:";
/** `$` starts every tag-like key; checking its code first keeps ordinary keys cheap. */
const DOLLAR = 36;
/** Past this depth the walk starts looking for cycles (an acyclic item rarely nests this deep). */
const CYCLE_CHECK_DEPTH = 64;

/** A key the decoder would treat as ours: "$octo:" one or more times, then "date". */
function isTagLike(key: string): boolean {
  if (key.charCodeAt(0) !== DOLLAR) return false;
  let rest = key;
  while (rest.startsWith(ESCAPE)) rest = rest.slice(ESCAPE.length);
  return rest === "date" && rest !== key;
}

function keySegment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function describeInstance(value: object): string {
  if (value instanceof Map) return "a Map (JSON would store it as {})";
  if (value instanceof Set) return "a Set (JSON would store it as {})";
  let name: unknown;
  try {
    name = value.constructor?.name;
  } catch {
    name = undefined;
  }
  const what = typeof name === "string" && name !== "" ? `a ${name} instance` : "an instance of a class";
  return `${what} (JSON would keep only its own fields, not its class)`;
}

/** Why a value was refused; path segments are added innermost first as the walk unwinds. */
interface Refusal {
  reason: string;
  segments: string[];
}

const refuse = (reason: string): Refusal => ({ reason, segments: [] });

/**
 * One pass over an item before it is stringified: finds what JSON would change or drop, and
 * whether the item needs tagging (it holds a Date or a key that looks like our tag). Plain items
 * then go through JSON.stringify with no replacer, which is what keeps encoding fast.
 */
class Inspection {
  tagged = false;
  private readonly ancestors: object[] = [];

  constructor(private readonly checkCyclesFromDepth: number) {}

  visit(value: unknown, depth: number): Refusal | undefined {
    switch (typeof value) {
      case "string":
      case "boolean":
        return undefined;
      case "number":
        return Number.isFinite(value) ? undefined : refuse(`${value} cannot be encoded as JSON`);
      case "bigint":
        return refuse(`BigInt ${value}n cannot be encoded as JSON`);
      case "undefined":
        return refuse("undefined cannot be encoded as JSON");
      case "function":
        return refuse("a function cannot be encoded as JSON");
      case "symbol":
        return refuse(`${String(value)} cannot be encoded as JSON`);
    }
    if (value === null) return undefined;
    const object = value as object;
    if (depth >= this.checkCyclesFromDepth) {
      if (this.ancestors.includes(object)) return refuse("a cycle (the value contains itself)");
    }
    this.ancestors.push(object);
    const refusal = this.visitObject(object, depth);
    this.ancestors.pop();
    return refusal;
  }

  private visitObject(object: object, depth: number): Refusal | undefined {
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) {
        const refusal = this.visit(object[i], depth + 1);
        if (refusal) {
          refusal.segments.push(`[${i}]`);
          return refusal;
        }
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      if (object instanceof Date) {
        if (Number.isNaN(object.getTime())) return refuse("an Invalid Date cannot be encoded");
        this.tagged = true;
        return undefined;
      }
      return refuse(`${describeInstance(object)} cannot be encoded as JSON`);
    }
    if (Object.getOwnPropertySymbols(object).length > 0) {
      return refuse("a property keyed by a symbol cannot be encoded as JSON (it would be dropped)");
    }
    const record = object as Record<string, unknown>;
    for (const key in record) {
      if (isTagLike(key)) this.tagged = true;
      const child = record[key];
      // JSON drops a property whose value is undefined; reading it back gives undefined again.
      if (child === undefined) continue;
      const refusal = this.visit(child, depth + 1);
      if (refusal) {
        refusal.segments.push(keySegment(key));
        return refusal;
      }
    }
    return undefined;
  }
}

/** Checks an item; returns whether it needs tagging, or throws UnencodableValueError. */
function inspect(item: unknown): boolean {
  const fast = new Inspection(CYCLE_CHECK_DEPTH);
  const refusal = fast.visit(item, 0);
  if (!refusal) return fast.tagged;
  // A cycle is first noticed deep inside it; look again from the top for its shortest path.
  const found = refusal.reason.startsWith("a cycle")
    ? (new Inspection(0).visit(item, 0) ?? refusal)
    : refusal;
  throw new UnencodableValueError(found.segments.reverse().join(""), found.reason);
}

/** A copy of an inspected item with Dates tagged and tag-like keys escaped. */
function tag(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return { [DATE_TAG]: value.toISOString() };
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = tag(value[i]);
    return copy;
  }
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key in record) {
    const name = isTagLike(key) ? ESCAPE + key : key;
    // Assigning "__proto__" would set the copy's prototype instead of a key.
    if (name === "__proto__") {
      Object.defineProperty(copy, name, {
        value: tag(record[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else copy[name] = tag(record[key]);
  }
  return copy;
}

function revive(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === DATE_TAG && typeof record[DATE_TAG] === "string") {
    return new Date(record[DATE_TAG]);
  }
  if (!keys.some(isTagLike)) return value;
  return Object.fromEntries(
    keys.map((key) => [isTagLike(key) ? key.slice(ESCAPE.length) : key, record[key]]),
  );
}

/**
 * JSON that keeps Dates as Dates and never changes data silently: it refuses, with the path of
 * the value, what JSON would alter or drop (NaN, ±Infinity, BigInt, functions, symbols,
 * undefined in arrays, Maps, Sets, class instances, Invalid Dates, cycles). A user's key that
 * looks like the Date tag is escaped, so it round-trips. `-0` is stored as `0`, and a property
 * whose value is undefined is left out (reading it back gives undefined).
 */
export const jsonCodec: Codec<unknown> = {
  encode(item) {
    return JSON.stringify(inspect(item) ? tag(item) : item);
  },
  decode(text) {
    // A reviver makes JSON.parse several times slower; only text holding a tag needs one.
    if (!text.includes(DATE_TAG)) return JSON.parse(text);
    return JSON.parse(text, revive);
  },
};
