// The issue's goals, judged on one run's results: PASS, MISS or "not measured".

const pct = (x) => `${x.toFixed(2)}×`;
const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : "not seen within the wait");
const verdict = (ok) => (ok ? "PASS" : "MISS");
const NOT = (why) => ({ status: "not measured", value: why });

export function judge(r) {
  const goals = [];
  const add = (goal, g) => goals.push({ goal, ...g });
  const ing = r.ingest?.payloads;
  if (ing) {
    const names = Object.keys(ing);
    const ratio = (other) => names.map((n) => ({ n, x: ing[n].saturation.buildgate.rps / ing[n].saturation[other].rps }));
    const vsBare = ratio("bare");
    add("durable ingest ≥ 0.5× bare node:http (req/s)", { status: verdict(vsBare.every((v) => v.x >= 0.5)), value: vsBare.map((v) => `${v.n} ${pct(v.x)}`).join(", ") });
    const vsExpress = ratio("express");
    add("durable ingest ≥ 1.5× Express + @octokit/webhooks (req/s)", { status: verdict(vsExpress.every((v) => v.x >= 1.5)), value: vsExpress.map((v) => `${v.n} ${pct(v.x)}`).join(", ") });
    const p99 = names.map((n) => ({ n, f: ing[n].fixed.buildgate }));
    add("ingest p99 ≤ 5 ms at 1,000 req/s", { status: verdict(p99.every(({ f }) => f.p99 <= 5 && f.non2xx + f.errors + f.timeouts === 0)), value: p99.map(({ n, f }) => `${n} ${ms(f.p99)}`).join(", ") });
    const peak = Math.max(...names.flatMap((n) => [ing[n].saturation.buildgate.peakMb, ing[n].fixed.buildgate.peakMb, ing[n].fixed.buildgateAutocannon?.peakMb ?? 0]));
    add("server RSS ≤ 128 MB (peak, ingest)", { status: verdict(peak <= 128), value: `${peak.toFixed(0)} MB` });
  } else {
    for (const g of ["durable ingest ≥ 0.5× bare node:http (req/s)", "durable ingest ≥ 1.5× Express + @octokit/webhooks (req/s)", "ingest p99 ≤ 5 ms at 1,000 req/s", "server RSS ≤ 128 MB (peak, ingest)"]) add(g, NOT(r.errors?.ingest ? "error" : "skipped"));
  }
  if (r.e2e) {
    add("delivery → StartBuild p50 ≤ 20 ms", { status: verdict(r.e2e.rates.every((x) => x.startBuild.p50 <= 20)), value: r.e2e.rates.map((x) => `${x.rate}/s ${ms(x.startBuild.p50)}`).join(", ") });
    add("delivery → pending status p50 ≤ 50 ms", { status: verdict(r.e2e.rates.every((x) => x.pendingFirst.p50 <= 50)), value: r.e2e.rates.map((x) => `${x.rate}/s ${ms(x.pendingFirst.p50)}`).join(", ") });
  } else {
    add("delivery → StartBuild p50 ≤ 20 ms", NOT(r.errors?.e2e ? "error" : "skipped"));
    add("delivery → pending status p50 ≤ 50 ms", NOT(r.errors?.e2e ? "error" : "skipped"));
  }
  const board = r.board;
  const boardGoal = `board p95 ≤ 50 ms at ${board?.builds ? board.builds.toLocaleString("en-US") : "1,000,000"} builds`;
  if (board?.available) {
    const worst = board.pages.reduce((a, b) => (b.p95 > a.p95 ? b : a));
    const broken = board.pages.filter((p) => p.statuses.some((s) => s !== 200));
    add(boardGoal, { status: verdict(worst.p95 <= 50 && broken.length === 0), value: `worst ${worst.name} ${ms(worst.p95)}${broken.length ? `; HTTP errors on ${broken.map((p) => p.name).join(", ")}` : ""}` });
  } else add(boardGoal, NOT(board ? "board not available" : r.errors?.board ? "error" : "skipped"));
  if (r.tracking) {
    const worst = Math.max(...r.tracking.cycles.map((c) => c.batchGetBuilds));
    add(`≤ 100 BatchGetBuilds calls per cycle at ${r.tracking.builds.toLocaleString("en-US")} in-flight builds`, { status: verdict(worst <= Math.ceil(r.tracking.builds / 100)), value: `${worst} calls` });
  } else add("≤ 100 BatchGetBuilds calls per cycle at 10,000 in-flight builds", NOT(r.errors?.tracking ? "error" : "skipped"));
  if (r.logs) {
    add("first screen of a finished 100,000-line log p95 ≤ 100 ms (cached)", { status: verdict(r.logs.firstScreen.p95 <= 100 && r.logs.lines >= 100_000), value: `API ${ms(r.logs.firstScreen.p95)}, build page ${ms(r.logs.buildPage.p95)}` });
    add("live tail delay p50 ≤ 3 s with the 2 s poll", { status: verdict(r.logs.tail.p50 <= 3000), value: ms(r.logs.tail.p50) });
  } else {
    for (const g of ["first screen of a finished 100,000-line log p95 ≤ 100 ms (cached)", "live tail delay p50 ≤ 3 s with the 2 s poll"]) add(g, NOT(r.errors?.logs ? "error" : "skipped"));
  }
  const so = r.scaleOut;
  if (so?.available) {
    const x = so.replicas[2].rps / so.replicas[1].rps;
    add("2 replicas ≥ 1.7× one replica (ingest, PostgreSQL)", { status: verdict(x >= 1.7), value: pct(x) });
  } else add("2 replicas ≥ 1.7× one replica (ingest, PostgreSQL)", NOT(so?.reason ?? (r.errors?.scaleOut ? "error" : "skipped")));
  return goals;
}
