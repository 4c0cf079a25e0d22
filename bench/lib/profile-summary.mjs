// Summarizes a V8 .cpuprofile (node --cpu-prof): top functions by self time, and by category.
import { readFileSync } from "node:fs";

export function summarizeProfile(file, top = 25) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (dt[i] ?? 0) / 1000;
    total += ms;
    self.set(id, (self.get(id) ?? 0) + ms);
  });
  const byFn = new Map();
  for (const [id, ms] of self) {
    const { callFrame: f } = byId.get(id);
    const where = f.url ? `${f.url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, "$1/")}:${f.lineNumber + 1}` : "";
    const key = `${f.functionName || "(anonymous)"} ${where}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + ms);
  }
  const rows = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalMs: total, rows: rows.map(([fn, ms]) => ({ fn, ms, pct: (100 * ms) / total })) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { totalMs, rows } = summarizeProfile(process.argv[2], Number(process.argv[3] ?? 25));
  console.log(`total ${totalMs.toFixed(0)} ms`);
  for (const r of rows) console.log(`${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.fn}`);
}
