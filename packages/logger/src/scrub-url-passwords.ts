/**
 * `scheme://user:password@` with the password captured. The password runs to the last `@` before a
 * `/`, whitespace, quote or backslash, as URL parsers read `redis://:p@ss@host`; stopping at quotes and
 * backslashes keeps the match inside one JSON string value.
 */
const URL_PASSWORD = /\b([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:@/"\\]*:)[^\s/"\\]+@/g;

/** Replaces the password of every `scheme://user:password@host` in `text` with `***`. */
export function scrubUrlPasswords(text: string): string {
  // Most lines hold no URL at all; skip the regex for them.
  return text.includes("://") ? text.replace(URL_PASSWORD, "$1***@") : text;
}
