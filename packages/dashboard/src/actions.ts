import type { IncomingMessage } from "node:http";
import type { Csrf } from "./csrf";
import { isSameOrigin } from "./csrf";
import { BadBodyError, readFields } from "./http";
import type { ResolvedOptions } from "./options";

/** Why an action was refused, as the API answers it. */
export interface Refusal {
  status: 400 | 403;
  error: string;
}

/**
 * Decides whether a POST may act, in this order: the dashboard allows actions at all, the
 * browser says the request comes from this site, the CSRF token matches the page's cookie, and
 * `authorize(req)` answers `true`. Nothing is written before all four pass.
 */
export async function guardAction(
  req: IncomingMessage,
  options: ResolvedOptions,
  csrf: Csrf,
): Promise<{ fields: Record<string, unknown> } | Refusal> {
  if (options.readOnly) return { status: 403, error: "this dashboard is read-only" };
  if (!isSameOrigin(req)) return { status: 403, error: "cross-site request refused" };
  let fields: Record<string, unknown>;
  try {
    fields = await readFields(req);
  } catch (error) {
    if (error instanceof BadBodyError) return { status: 400, error: error.message };
    throw error;
  }
  const header = req.headers["x-csrf-token"];
  const token =
    typeof header === "string" ? header : typeof fields._csrf === "string" ? fields._csrf : undefined;
  if (!csrf.verify(req, token)) {
    return { status: 403, error: "missing or wrong CSRF token: reload the page and try again" };
  }
  let allowed = false;
  try {
    allowed = (await options.authorize?.(req)) === true;
  } catch {
    // A throwing authorize refuses, like one answering false.
  }
  if (!allowed) return { status: 403, error: "not authorized" };
  return { fields };
}
