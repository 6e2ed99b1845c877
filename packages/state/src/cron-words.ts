import { MONTH_NAMES } from "@octo/internal";

/**
 * Turns a node-cron expression (5 fields, or 6 with seconds first) into English, such as
 * `"30 2 * * 1-5"` → `"at 02:30, Monday through Friday"`. Expressions it cannot read with
 * certainty (`L`, `W`, `#`, `?`, unknown names) come back as `cron <expression>` rather than
 * as a guess.
 */
export function cronToWords(expression: string): string {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) return `cron ${expression}`;
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] =
    fields.length === 6 ? (fields as Six) : (["0", ...fields] as Six);
  try {
    const parts = [
      timeWords(second, minute, hour),
      dayWords(dayOfMonth, dayOfWeek, single(hour)),
      listWords(month, "month", MONTHS, "in "),
    ];
    return parts.filter((part) => part !== "").join(", ");
  } catch {
    return `cron ${expression}`;
  }
}

type Six = [string, string, string, string, string, string];

/** Indexed by cron month, 1-12. */
const MONTHS = ["", ...MONTH_NAMES];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTH_ABBREVIATIONS = [
  "",
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];
const WEEKDAY_ABBREVIATIONS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const single = (field: string) => /^\d+$/.test(field);
const two = (n: string) => n.padStart(2, "0");

function timeWords(second: string, minute: string, hour: string): string {
  if (single(minute) && single(hour)) {
    const clock = `${two(hour)}:${two(minute)}`;
    if (single(second)) return `at ${second === "0" ? clock : `${clock}:${two(second)}`}`;
    return `${unitWords(second, "second")}, at ${clock}`;
  }
  const parts: string[] = [];
  if (second !== "0") {
    parts.push(
      minute === "*" && single(second) ? `every minute at second ${second}` : unitWords(second, "second"),
    );
  }
  if (minute !== "*" || second === "0") {
    parts.push(
      hour === "*" && single(minute) ? `every hour at minute ${minute}` : unitWords(minute, "minute"),
    );
  }
  if (hour !== "*") parts.push(unitWords(hour, "hour"));
  return parts.join(", ");
}

/** One time field: `*`, `*\/n`, `a`, `a-b`, `a-b/n`, `a/n` and lists of those. */
function unitWords(field: string, unit: string): string {
  if (field === "*") return `every ${unit}`;
  const step = /^\*\/(\d+)$/.exec(field);
  if (step) return step[1] === "1" ? `every ${unit}` : `every ${step[1]} ${unit}s`;
  const items = field.split(",").map((item) => {
    const range = /^(\d+)-(\d+)(?:\/(\d+))?$/.exec(item);
    if (range) {
      const through = `${range[1]} through ${range[2]}`;
      return range[3] ? `every ${range[3]} ${unit}s from ${through}` : `${unit}s ${through}`;
    }
    const from = /^(\d+)\/(\d+)$/.exec(item);
    if (from) return `every ${from[2]} ${unit}s from ${from[1]}`;
    if (single(item)) return `${unit} ${item}`;
    throw new Error(`unreadable ${unit} field`);
  });
  return items.length === 1 && items[0]?.startsWith("every") ? items.join("") : `at ${joinList(items)}`;
}

/** `onceADay`: the time part names one hour, so "every day" is worth saying. */
function dayWords(dayOfMonth: string, dayOfWeek: string, onceADay: boolean): string {
  const weekdays = dayOfWeek === "*" ? "" : listWords(dayOfWeek, "weekday", WEEKDAYS, "");
  if (dayOfMonth === "*") return weekdays === "" && onceADay ? "every day" : weekdays;
  const days = `on ${unitWords(dayOfMonth, "day").replace(/^at /, "")} of the month`;
  return weekdays === "" ? days : `${days}, if it is ${weekdays}`;
}

/** A month or weekday field in names: `1-5` → `Monday through Friday`, `jan,mar` → `January and March`. */
function listWords(field: string, kind: "month" | "weekday", names: string[], lead: string): string {
  if (field === "*") return "";
  const abbreviations = kind === "month" ? MONTH_ABBREVIATIONS : WEEKDAY_ABBREVIATIONS;
  const name = (token: string): string => {
    const index = single(token) ? Number(token) : abbreviations.indexOf(token.toLowerCase());
    const found = index >= 0 ? names[index] : undefined;
    if (!found) throw new Error(`unreadable ${kind} ${token}`);
    return found;
  };
  const step = /^\*\/(\d+)$/.exec(field);
  if (step) return `${lead}every ${step[1]} ${kind}s`;
  const items = field.split(",").map((item) => {
    const range = /^(\w+)-(\w+)$/.exec(item);
    return range ? `${name(range[1] ?? "")} through ${name(range[2] ?? "")}` : name(item);
  });
  return `${lead}${joinList(items)}`;
}

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
