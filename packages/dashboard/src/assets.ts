/**
 * The page's two assets, served from memory. The script is plain browser JavaScript kept as text,
 * so users install no front-end toolchain; the page works without it and it only refreshes the
 * main content every few seconds, while the tab is visible.
 */
export const DASHBOARD_JS = `"use strict";
(function () {
  var REFRESH_MS = 3000;
  var refreshes = 0;
  function refresh() {
    if (document.hidden) return schedule();
    fetch(location.href, { headers: { accept: "text/html" }, credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.text() : Promise.reject(new Error(String(res.status))); })
      .then(function (text) {
        var next = new DOMParser().parseFromString(text, "text/html");
        ["octo-main", "octo-updated"].forEach(function (id) {
          var from = next.getElementById(id), to = document.getElementById(id);
          if (!from || !to || from.innerHTML === to.innerHTML) return;
          // Keep the stacks a reader opened open across the refresh.
          var opened = Array.prototype.map.call(to.querySelectorAll("details"), function (d) { return d.open; });
          to.innerHTML = from.innerHTML;
          to.querySelectorAll("details").forEach(function (d, i) { if (opened[i]) d.open = true; });
        });
        document.body.setAttribute("data-refreshes", String(++refreshes));
      })
      .catch(function () { document.body.setAttribute("data-refresh-failed", String(Date.now())); })
      .then(schedule);
  }
  function schedule() { setTimeout(refresh, REFRESH_MS); }
  schedule();
})();
`;

export const DASHBOARD_CSS = `:root { font-family: system-ui, sans-serif; font-size: 14px; color: #1d232b; background: #f6f7f9; }
body { margin: 0 auto; max-width: 1400px; padding: 0 24px 48px; }
header { display: flex; align-items: baseline; gap: 24px; border-bottom: 1px solid #d8dce2; }
header h1 a { color: inherit; text-decoration: none; }
header p { color: #5b6573; margin: 0; }
h2 { margin-top: 28px; font-size: 18px; }
h3 { margin: 18px 0 6px; font-size: 15px; color: #3b4655; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid #d8dce2; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid #eceef1; }
th { background: #eef0f3; font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: #4a5563; }
td.pending, td.in-flight, td.delayed, td.dead, td.attempts { font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, monospace; font-size: 12px; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; font-size: 12px; max-width: 520px; }
.words, .relative, .none, .tz { color: #5b6573; }
.tz { font-size: 12px; }
.outcome { display: inline-block; padding: 1px 6px; border-radius: 3px; font-size: 12px; font-weight: 600; background: #e3e6ea; }
.outcome-succeeded { background: #d5f0dc; color: #17642f; }
.outcome-failed { background: #fadcdc; color: #8f1d1d; }
.outcome-skipped, .outcome-not-claimed { background: #fbefd0; color: #7a5500; }
td.error pre { color: #8f1d1d; }
form.action { display: inline; margin: 0; }
button { font: inherit; font-size: 12px; padding: 3px 10px; border: 1px solid #9aa4b2; border-radius: 4px; background: #fff; cursor: pointer; }
button:hover { background: #eef0f3; }
details summary { cursor: pointer; color: #5b6573; font-size: 12px; }
.pager { margin-top: 10px; display: flex; gap: 16px; }
`;
