// Results as text tables (stdout) and Markdown (for docs/benchmarks.md).
import { fmt, fmtInt } from "./stats.mjs";

const lat = (x) => (Number.isFinite(x) ? fmt(x, x < 10 ? 2 : 1) : Number.isNaN(x) ? "—" : "∞");
// Infinity: the arrival was not seen by the end of the wait after the last delivery.
const waitMs = (x) => (Number.isFinite(x) ? fmt(x, 1) : "not seen");

/** Tables as arrays of rows (first row: header). */
export function tables(r) {
  const out = [];
  const ing = r.ingest?.payloads;
  if (ing) {
    const rows = [["payload", "server", "req/s (saturation)", "× bare", "× express", "p50 ms", "p99 ms", "non-2xx + errors", "server CPU", "peak RSS MB", "p50 / p99 ms at 1,000/s"]];
    for (const [name, p] of Object.entries(ing)) {
      for (const kind of ["bare", "express", "buildgate"]) {
        const s = p.saturation[kind];
        const f = p.fixed[kind] ?? { p50: NaN, p99: NaN };
        rows.push([`${name} (${(p.bytes / 1024).toFixed(1)} KB)`, kind, fmtInt(s.rps), fmt(s.rps / p.saturation.bare.rps, 2), fmt(s.rps / p.saturation.express.rps, 2), lat(s.p50), lat(s.p99), String(s.non2xx + s.errors), `${fmt(s.serverCpu, 0)}%`, fmt(s.peakMb, 0), `${lat(f.p50)} / ${lat(f.p99)}${f.timeouts ? ` (${f.timeouts} unanswered)` : ""}`]);
      }
      const ac = p.fixed.buildgateAutocannon;
      if (ac) rows.push([`${name} (${(p.bytes / 1024).toFixed(1)} KB)`, "buildgate, autocannon overallRate", "", "", "", "", "", String(ac.non2xx + ac.errors), "", fmt(ac.peakMb, 0), `${lat(ac.p50)} / ${lat(ac.p99)}`]);
    }
    out.push({ title: "Ingest", rows });
    if (r.ingest.store) {
      const st = [["payload", "batch", "deliveries/s", "µs per delivery"]];
      for (const x of r.ingest.store) st.push([x.payload, String(x.batch), fmtInt(x.rowsPerSec), fmtInt(x.usPerRow)]);
      out.push({ title: "Inbox write alone (store.insertDeliveries, SQLite, synchronous=FULL)", rows: st });
    }
  }
  if (r.e2e) {
    const rows = [["rate", "deliveries", "→ StartBuild p50 ms", "→ StartBuild p99 ms", "StartBuilds arrived", "→ pending p50 ms (first 30)", "→ pending p99 ms (first 30)", "pending statuses arrived (all)"]];
    for (const x of r.e2e.rates) rows.push([`${x.rate}/s`, String(x.deliveries), waitMs(x.startBuild.p50), waitMs(x.startBuild.p99), `${x.startBuild.arrived}/${x.startBuild.of}`, waitMs(x.pendingFirst.p50), waitMs(x.pendingFirst.p99), `${x.pendingAll.arrived}/${x.pendingAll.of}`]);
    out.push({ title: "End to end", rows });
  }
  if (r.board?.available) {
    const rows = [["page", "path", "p50 ms", "p95 ms", "HTTP", "KB"]];
    for (const p of r.board.pages) rows.push([p.name, p.path, fmt(p.p50, 1), fmt(p.p95, 1), p.statuses.join("/"), fmt(p.bytes / 1024, 0)]);
    out.push({ title: `Board (${fmtInt(r.board.builds)} builds, ${fmtInt(r.board.deliveries)} deliveries)`, rows });
  }
  if (r.tracking) {
    const rows = [["cycle", "BatchGetBuilds calls", "ids polled", "builds changed", "cycle ms"]];
    for (const c of r.tracking.cycles) rows.push([c.name, String(c.batchGetBuilds), fmtInt(c.ids), fmtInt(c.changed), fmtInt(c.ms)]);
    out.push({ title: `Tracking (${fmtInt(r.tracking.builds)} in-flight builds)`, rows });
  }
  if (r.logs) {
    const rows = [["read", "p50 ms", "p95 ms", "n"]];
    rows.push([`first screen, API (last 500 of ${fmtInt(r.logs.lines)} lines, cached)`, fmt(r.logs.firstScreen.p50, 1), fmt(r.logs.firstScreen.p95, 1), String(r.logs.firstScreen.n)]);
    rows.push(["build page of that build", fmt(r.logs.buildPage.p50, 1), fmt(r.logs.buildPage.p95, 1), String(r.logs.buildPage.n)]);
    rows.push(["live tail delay (written → seen, 2 s poll)", fmt(r.logs.tail.p50, 0), fmt(r.logs.tail.p95, 0), String(r.logs.tail.n)]);
    out.push({ title: `Build logs (first read of the finished log, uncached: ${fmt(r.logs.coldMs, 0)} ms)`, rows });
  }
  if (r.scaleOut?.available) {
    const rows = [["replicas", "req/s", "p50 ms", "p99 ms", "non-2xx + errors", "replica CPU", "PostgreSQL CPU"]];
    for (const [n, x] of Object.entries(r.scaleOut.replicas)) rows.push([n, fmtInt(x.rps), lat(x.p50), lat(x.p99), String(x.non2xx + x.errors), x.replicaCpu.map((c) => `${fmt(c, 0)}%`).join(" + "), `${fmt(x.postgresCpu, 0)}%`]);
    out.push({ title: "Scale-out on PostgreSQL (push)", rows });
  }
  out.push({ title: "Goals", rows: [["goal", "result", "measured"], ...r.goals.map((g) => [g.goal, g.status, g.value])] });
  return out;
}

export function toText(ts) {
  return ts
    .map(({ title, rows }) => {
      const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? "").length)));
      const line = (r) => r.map((c, i) => String(c ?? "").padEnd(widths[i])).join("  ");
      return [`\n${title}`, line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
    })
    .join("\n");
}

export function toMarkdown(ts) {
  return ts.map(({ title, rows }) => [`### ${title}`, "", `| ${rows[0].join(" | ")} |`, `|${rows[0].map(() => "---").join("|")}|`, ...rows.slice(1).map((r) => `| ${r.join(" | ")} |`), ""].join("\n")).join("\n");
}
