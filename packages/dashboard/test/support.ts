import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createDashboard, type DashboardOptions } from "@octo/dashboard";

/** A dashboard served by node:http on a free loopback port. */
export interface Served {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves `createDashboard(options)`; `fallback` answers what the dashboard passes to next(). */
export async function serveDashboard(
  options: DashboardOptions,
  fallback?: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Served> {
  const dashboard = createDashboard(options);
  const server = createServer((req, res) =>
    dashboard(req, res, fallback ? () => fallback(req, res) : undefined),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a browser holds after loading a page: its cookie and the token in its forms. */
export interface PageSession {
  cookie: string;
  token: string;
  html: string;
}

/** Loads a page like a browser would and keeps the CSRF cookie and token it was given. */
export async function openPage(url: string): Promise<PageSession> {
  const res = await fetch(url);
  const html = await res.text();
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
  return { cookie, token, html };
}

/** A POST as the page's own script or form would send it. */
export function postAction(
  url: string,
  session: PageSession,
  headers: Record<string, string> = {},
  body = "{}",
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: {
      cookie: session.cookie,
      "x-csrf-token": session.token,
      "content-type": "application/json",
      origin: new URL(url).origin,
      "sec-fetch-site": "same-origin",
      ...headers,
    },
    body,
  });
}
