import type { IncomingMessage, ServerResponse } from "node:http";
import { describeThrown } from "@octo/internal";
import { OctoState } from "@octo/state";
import { guardAction } from "./actions";
import { DASHBOARD_CSS, DASHBOARD_JS } from "./assets";
import { CSRF_COOKIE, Csrf } from "./csrf";
import { redirect, send, sendJson, wantsHtml } from "./http";
import { type DashboardOptions, type ResolvedOptions, resolveOptions } from "./options";
import { notFoundPage, overviewPage, type PageContext, queuePage } from "./pages";

/** A plain Node request handler, as `node:http`, Express and Fastify (through `reply.raw`) take. */
export type DashboardHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 500;
const HTML_TYPE = "text/html; charset=utf-8";

/**
 * Creates the dashboard: the page, its assets and a JSON API under `basePath`. It answers only
 * its own routes (anything else goes to `next`, or gets a 404 without one) and writes to Redis
 * only through the actions. See the README for routes and the security model.
 */
export function createDashboard(options: DashboardOptions): DashboardHandler {
  const resolved = resolveOptions(options);
  const source = new OctoState(resolved.redis, resolved.prefix);
  const csrf = new Csrf();
  return (req, res, next) => {
    route(req, res, resolved, source, csrf).then(
      (handled) => {
        if (handled) return;
        if (next) next();
        else sendJson(res, 404, { error: "not found" });
      },
      (error: unknown) => {
        if (res.headersSent) res.destroy();
        else sendJson(res, 500, { error: `the dashboard could not answer: ${describeThrown(error)}` });
      },
    );
  };
}

/** Answers one request; `false` when the path is not one of the dashboard's. */
async function route(
  req: IncomingMessage,
  res: ServerResponse,
  options: ResolvedOptions,
  source: OctoState,
  csrf: Csrf,
): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://dashboard.invalid");
  const base = options.basePath;
  if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return false;
  const path = url.pathname.slice(base.length) || "/";
  const segments = path.split("/").slice(1).map(decodeSegment);
  if (segments.some((segment) => segment === null)) return false;
  const [a, b, c, d, e, f, ...rest] = segments as string[];
  const method = req.method ?? "GET";
  const get = method === "GET" || method === "HEAD";

  if (rest.length > 0 || (f !== undefined && a !== "api")) return false;
  if (get && path === "/") {
    const session = csrf.session(req);
    const ctx = pageContext(options, csrf.token(session.value));
    const [jobs, queues] = await Promise.all([source.jobs(), source.queues()]);
    send(res, 200, HTML_TYPE, overviewPage(ctx, jobs, queues), cookieHeader(session, base));
    return true;
  }
  if (get && a === "queues" && b !== undefined && c === undefined) {
    const session = csrf.session(req);
    const ctx = pageContext(options, csrf.token(session.value));
    const queue = (await source.queues()).find((q) => q.name === b);
    if (!queue) {
      send(res, 404, HTML_TYPE, notFoundPage(ctx, `Queue "${b}"`), cookieHeader(session, base));
      return true;
    }
    const cursor = url.searchParams.get("cursor");
    const page = await source.deadLetters(b, DEFAULT_PAGE_SIZE, validCursor(cursor));
    send(res, 200, HTML_TYPE, queuePage(ctx, queue, page, validCursor(cursor)), cookieHeader(session, base));
    return true;
  }
  if (get && a === "metrics" && b === undefined && options.registry) {
    const registry = options.registry;
    send(res, 200, registry.contentType, await registry.metrics());
    return true;
  }
  if (get && a === "assets" && c === undefined) {
    if (b === "dashboard.js") send(res, 200, "text/javascript; charset=utf-8", DASHBOARD_JS);
    else if (b === "dashboard.css") send(res, 200, "text/css; charset=utf-8", DASHBOARD_CSS);
    else return false;
    return true;
  }
  if (a !== "api") return false;

  if (get && b === "jobs" && c === undefined) {
    sendJson(res, 200, { jobs: await source.jobs() });
    return true;
  }
  if (get && b === "queues" && c === undefined) {
    sendJson(res, 200, { queues: await source.queues() });
    return true;
  }
  if (get && b === "queues" && c !== undefined && d === "dead-letters" && e === undefined) {
    const limit = Number(url.searchParams.get("limit") ?? DEFAULT_PAGE_SIZE);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      sendJson(res, 400, { error: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` });
      return true;
    }
    if (!(await source.hasQueue(c))) {
      sendJson(res, 404, { error: `no queue "${c}" in Redis` });
      return true;
    }
    sendJson(res, 200, await source.deadLetters(c, limit, validCursor(url.searchParams.get("cursor"))));
    return true;
  }

  const action = actionOf([b, c, d, e, f]);
  if (action === null) return false;
  if (method !== "POST") {
    sendJson(res, 405, { error: "actions are POST requests" }, { allow: "POST" });
    return true;
  }
  const guard = await guardAction(req, options, csrf);
  if ("error" in guard) {
    sendJson(res, guard.status, { error: guard.error });
    return true;
  }
  const back = action.kind === "run" ? `${base}/` : `${base}/queues/${encodeURIComponent(action.target)}`;
  const done = (body: object) => {
    if (wantsHtml(req)) redirect(res, back);
    else sendJson(res, 200, body);
  };
  if (action.kind === "run") {
    if (!(await source.hasJob(action.target))) {
      sendJson(res, 404, { error: `no job "${action.target}" in Redis` });
      return true;
    }
    done({ requested: await source.requestRun(action.target) });
    return true;
  }
  if (!(await source.hasQueue(action.target))) {
    sendJson(res, 404, { error: `no queue "${action.target}" in Redis` });
    return true;
  }
  if (action.kind === "requeue") {
    const ids = action.id === undefined ? idsOf(guard.fields) : [action.id];
    if (ids === null) {
      sendJson(res, 400, { error: "ids must be an array of dead letter ids, or absent to requeue them all" });
      return true;
    }
    done({ requeued: await source.requeue(action.target, ids) });
    return true;
  }
  done({ removed: await source.remove(action.target, [action.id]) });
  return true;
}

type Action =
  | { kind: "run"; target: string }
  | { kind: "requeue"; target: string; id?: string }
  | { kind: "remove"; target: string; id: string };

/** The action a POST path names, or `null`. */
function actionOf(segments: (string | undefined)[]): Action | null {
  const [b, c, d, e, f] = segments;
  if (b === "jobs" && c !== undefined && d === "run" && e === undefined) return { kind: "run", target: c };
  if (b !== "queues" || c === undefined) return null;
  if (d === "requeue" && e === undefined) return { kind: "requeue", target: c };
  if (d === "dead-letters" && e !== undefined) {
    if (f === "requeue") return { kind: "requeue", target: c, id: e };
    if (f === "remove") return { kind: "remove", target: c, id: e };
  }
  return null;
}

/** `ids` of a JSON body: `undefined` when absent (all), `null` when not a list of strings. */
function idsOf(fields: Record<string, unknown>): string[] | undefined | null {
  const ids = fields.ids;
  if (ids === undefined) return undefined;
  return Array.isArray(ids) && ids.every((id) => typeof id === "string" && id !== "") ? ids : null;
}

function pageContext(options: ResolvedOptions, csrfToken: string): PageContext {
  return {
    base: options.basePath,
    prefix: options.prefix,
    actions: !options.readOnly,
    csrfToken,
    now: Date.now(),
  };
}

function cookieHeader(session: { value: string; isNew: boolean }, base: string): Record<string, string> {
  if (!session.isNew) return {};
  return { "set-cookie": `${CSRF_COOKIE}=${session.value}; Path=${base || "/"}; HttpOnly; SameSite=Strict` };
}

/** A cursor as the queue hands them out (`<scan cursor>:<id>`); anything else reads the first page. */
function validCursor(cursor: string | null): string | null {
  return cursor !== null && cursor.length <= 512 && /^\d+:/.test(cursor) ? cursor : null;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
