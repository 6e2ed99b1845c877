import type { DeadLetterPage, JobView, QueueView } from "@octo/state";
import { duration, Html, html, timeCell } from "./html";

/** What every page needs besides its data. */
export interface PageContext {
  /** The dashboard's base path, `""` at the root. */
  base: string;
  prefix: string;
  /** Whether action buttons are shown. */
  actions: boolean;
  /** The token that action forms carry. */
  csrfToken: string;
  now: number;
}

/** The whole document around a page's main content. */
export function layout(ctx: PageContext, title: string, main: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${ctx.base}/assets/dashboard.css">
<script src="${ctx.base}/assets/dashboard.js" defer></script>
</head>
<body>
<header><h1><a href="${ctx.base}/">Octo Jobs</a></h1>
<p>prefix <code>${ctx.prefix}</code> · ${ctx.actions ? "actions on" : "read-only"} · <span id="octo-updated">updated ${new Date(ctx.now).toISOString().slice(0, 19).replace("T", " ")} UTC</span></p></header>
<main id="octo-main">${main}</main>
</body>
</html>
`.text;
}

/** The overview: jobs by group, then queues. */
export function overviewPage(ctx: PageContext, jobs: JobView[], queues: QueueView[]): string {
  const groups = new Map<string, JobView[]>();
  for (const job of jobs) groups.set(job.group, [...(groups.get(job.group) ?? []), job]);
  const jobSection =
    jobs.length === 0
      ? html`<p class="none">No jobs yet: a job appears once a runner has started it.</p>`
      : [...groups].map(
          ([group, members]) => html`<h3>${group === "" ? "(no group)" : group}</h3>
<table class="jobs"><thead><tr><th>Job</th><th>Schedule</th><th>Next fire</th><th>Last run</th><th>Instance</th><th>Duration</th><th>Error</th>${ctx.actions ? html`<th></th>` : ""}</tr></thead>
<tbody>${members.map((job) => jobRow(ctx, job))}</tbody></table>`,
        );
  return layout(
    ctx,
    "Octo Jobs",
    html`<section id="jobs"><h2>Jobs</h2>${jobSection}</section>
<section id="queues"><h2>Queues</h2>${queueTable(ctx, queues)}</section>`,
  );
}

function jobRow(ctx: PageContext, job: JobView): Html {
  const last = job.lastRun;
  return html`<tr data-job="${job.job}">
<td class="name">${job.job}</td>
<td class="schedule"><code>${job.schedule}</code>${job.timezone ? html` <span class="tz">${job.timezone}</span>` : ""}<br><span class="words">${job.scheduleWords}</span></td>
<td class="next-fire">${timeCell(job.nextFireAt, ctx.now)}</td>
<td class="last-run">${last ? html`<span class="outcome outcome-${last.outcome}">${last.outcome}</span> ${timeCell(last.scheduledAt, ctx.now)}` : html`<span class="none">never</span>`}</td>
<td class="instance">${last?.instance}</td>
<td class="duration">${last && last.durationMs !== null ? duration(last.durationMs) : ""}</td>
<td class="error">${last?.error ? errorText(last.error) : ""}</td>
${ctx.actions ? html`<td>${actionForm(ctx, `/api/jobs/${encodeURIComponent(job.job)}/run`, "Run now", "run-now")}</td>` : ""}
</tr>`;
}

function queueTable(ctx: PageContext, queues: QueueView[]): Html {
  if (queues.length === 0) return html`<p class="none">No queues with items.</p>`;
  return html`<table class="queues"><thead><tr><th>Queue</th><th>Pending</th><th>In flight</th><th>Delayed</th><th>Dead</th><th>Oldest pending</th>${ctx.actions ? html`<th></th>` : ""}</tr></thead>
<tbody>${queues.map(
    (q) => html`<tr data-queue="${q.name}">
<td class="name"><a href="${queueHref(ctx, q.name)}">${q.name}</a></td>
<td class="pending">${q.pending}</td><td class="in-flight">${q.inFlight}</td><td class="delayed">${q.delayed}</td>
<td class="dead">${q.dead > 0 ? html`<a href="${queueHref(ctx, q.name)}">${q.dead}</a>` : "0"}</td>
<td class="oldest">${q.oldestPendingAgeMs === null ? html`<span class="none" title="nothing pending, or the head item came from fill(), which records no time">—</span>` : duration(q.oldestPendingAgeMs)}</td>
${ctx.actions ? html`<td>${q.dead > 0 ? actionForm(ctx, `/api/queues/${encodeURIComponent(q.name)}/requeue`, "Requeue all dead", "requeue-all") : ""}</td>` : ""}
</tr>`,
  )}</tbody></table>`;
}

/** One queue: its counts and a page of its dead letters. */
export function queuePage(
  ctx: PageContext,
  queue: QueueView,
  page: DeadLetterPage,
  cursor: string | null,
): string {
  const href = queueHref(ctx, queue.name);
  const letters =
    page.items.length === 0
      ? html`<p class="none">No dead letters${cursor === null ? "" : " on this page"}.</p>`
      : html`<table class="dead-letters"><thead><tr><th>Id</th><th>Item</th><th>Error</th><th>Attempts</th><th>First failed</th><th>Last failed</th>${ctx.actions ? html`<th></th>` : ""}</tr></thead>
<tbody>${page.items.map(
          (d) => html`<tr data-id="${d.id}">
<td class="id">${d.id}</td>
<td class="item"><pre>${d.decoded ? JSON.stringify(d.item, null, 2) : String(d.item)}</pre></td>
<td class="error">${errorText(d.error)}</td>
<td class="attempts">${d.attempts}</td>
<td>${timeCell(d.firstFailedAt, ctx.now)}</td><td>${timeCell(d.lastFailedAt, ctx.now)}</td>
${ctx.actions ? html`<td>${letterActions(ctx, queue.name, d.id)}</td>` : ""}
</tr>`,
        )}</tbody></table>`;
  const pager = html`<nav class="pager">${cursor !== null ? html`<a href="${href}">First page</a> ` : ""}${
    page.cursor !== null
      ? html`<a rel="next" href="${href}?cursor=${encodeURIComponent(page.cursor)}">Next page</a>`
      : ""
  }</nav>`;
  return layout(
    ctx,
    `${queue.name} · Octo Jobs`,
    html`<section id="queue"><h2>Queue <code>${queue.name}</code></h2>${queueTable(ctx, [queue])}</section>
<section id="dead-letters"><h2>Dead letters</h2>${letters}${pager}</section>`,
  );
}

/** An error's first line in full; the rest (a stack) folded away, to open without JavaScript. */
function errorText(error: string): Html {
  const newline = error.indexOf("\n");
  if (newline < 0) return html`<pre>${error}</pre>`;
  return html`<pre>${error.slice(0, newline)}</pre><details><summary>stack</summary><pre>${error.slice(newline + 1)}</pre></details>`;
}

function letterActions(ctx: PageContext, queue: string, id: string): Html {
  const path = `/api/queues/${encodeURIComponent(queue)}/dead-letters/${encodeURIComponent(id)}`;
  return html`${actionForm(ctx, `${path}/requeue`, "Requeue", "requeue-one")} ${actionForm(ctx, `${path}/remove`, "Remove", "remove-one")}`;
}

function queueHref(ctx: PageContext, name: string): string {
  return `${ctx.base}/queues/${encodeURIComponent(name)}`;
}

function actionForm(ctx: PageContext, path: string, label: string, kind: string): Html {
  return html`<form method="post" action="${ctx.base}${path}" class="action"><input type="hidden" name="_csrf" value="${ctx.csrfToken}"><button type="submit" class="${kind}">${label}</button></form>`;
}

/** A page for a queue or job that is not in Redis. */
export function notFoundPage(ctx: PageContext, what: string): string {
  return layout(
    ctx,
    "Not found · Octo Jobs",
    html`<p>${what} was not found in Redis.</p><p><a href="${ctx.base}/">Back to the overview</a></p>`,
  );
}
