import type { IncomingMessage, ServerResponse } from "node:http";

/** Headers every answer carries: nothing is cached, framed, sniffed, or allowed to run inline. */
const COMMON_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...COMMON_HEADERS, "content-type": type, ...headers });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(value), headers);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { ...COMMON_HEADERS, location });
  res.end();
}

/** An action body larger than this is refused; actions carry a token and at most a few ids. */
const MAX_BODY_BYTES = 64 * 1024;

/** Raised while reading a body that is too large or unreadable. */
export class BadBodyError extends Error {
  readonly code = "ERR_OCTO_DASHBOARD_BAD_BODY";
  override readonly name = "BadBodyError";
}

/**
 * The body of a POST as fields: an HTML form (`application/x-www-form-urlencoded`) or a JSON
 * object. A body a framework already parsed (`req.body`, as Express and Fastify leave it) is used
 * as it is, since the stream has been read.
 */
export async function readFields(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parsed = (req as { body?: unknown }).body;
  if (typeof parsed === "object" && parsed !== null && !Buffer.isBuffer(parsed))
    return parsed as Record<string, unknown>;
  const text =
    typeof parsed === "string"
      ? parsed
      : Buffer.isBuffer(parsed)
        ? parsed.toString("utf8")
        : await readText(req);
  if (text.trim() === "") return {};
  const type = String(req.headers["content-type"] ?? "");
  if (type.includes("application/json")) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new BadBodyError("the body is not valid JSON");
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new BadBodyError("the JSON body must be an object");
    }
    return value as Record<string, unknown>;
  }
  return Object.fromEntries(new URLSearchParams(text));
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BadBodyError(`the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Whether the client wants an HTML answer (a form post from the page) rather than JSON. */
export function wantsHtml(req: IncomingMessage): boolean {
  const type = String(req.headers["content-type"] ?? "");
  const accept = String(req.headers.accept ?? "");
  return type.includes("application/x-www-form-urlencoded") && !accept.includes("application/json");
}
