import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The cookie that binds a page's token to the browser it was sent to. */
export const CSRF_COOKIE = "octo_dashboard_csrf";

/**
 * Cross-site request protection for actions: a token in the page (a form field or the
 * `x-csrf-token` header) must be the HMAC of a random value the same browser holds in an
 * HttpOnly, SameSite=Strict cookie, under a key that lives only in this dashboard's memory. A
 * page of another site can neither read the token nor set the cookie.
 */
export class Csrf {
  private readonly key = randomBytes(32);

  /** The browser's cookie value, or a new one to set when it has none (or a malformed one). */
  session(req: IncomingMessage): { value: string; isNew: boolean } {
    const value = readCookie(req, CSRF_COOKIE);
    if (value !== undefined && /^[A-Za-z0-9_-]{22,64}$/.test(value)) return { value, isNew: false };
    return { value: randomBytes(18).toString("base64url"), isNew: true };
  }

  /** The token that belongs with a cookie value. */
  token(session: string): string {
    return createHmac("sha256", this.key).update(session).digest("base64url");
  }

  /** Whether the request's token matches its cookie. */
  verify(req: IncomingMessage, token: string | undefined): boolean {
    const session = readCookie(req, CSRF_COOKIE);
    if (session === undefined || token === undefined) return false;
    const expected = Buffer.from(this.token(session));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/**
 * Whether a browser says the request comes from this very site. `Sec-Fetch-Site` and `Origin`
 * are set by browsers and cannot be forged by a page; a client that sends neither (curl, a
 * script) is not a browser under another site's control, and the token still applies to it.
 */
export function isSameOrigin(req: IncomingMessage): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
