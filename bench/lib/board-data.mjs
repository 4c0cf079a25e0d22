// Fills a buildgate SQLite store with a board-sized history: `builds` builds, twice as many
// deliveries (every other one ignored), one route decision per delivery. The schema comes from
// the real migrations (openStore creates the file); rows go in through better-sqlite3 prepared
// statements in big transactions. Bodies are small stubs: board pages list rows, not payloads.
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

const require = createRequire(import.meta.url);
const Database = require("better-sqlite3");

export const GENERATOR_VERSION = 2;
export const REPOSITORIES = Array.from({ length: 40 }, (_, i) => `acme/svc-${String(i).padStart(2, "0")}`);
export const ROUTES = ["ci", "lint", "deploy"];
export const IN_FLIGHT = 200;
const PHASES = ["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING", "COMPLETED"];
const IGNORED = ["event check_run is not handled", "event issues is not handled", "pull_request action labeled does not build", "event status is not handled"];
const SPACING_MS = 7_800; // 1,000,000 builds over ~90 days

/** 40 hex digits from a string, cheaply (FNV-1a then xorshift): commit-like, stable, not cryptographic. */
function sha(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  let out = "";
  for (let i = 0; i < 5; i++) {
    h ^= h << 13;
    h ^= h >>> 17;
    h ^= h << 5;
    out += (h >>> 0).toString(16).padStart(8, "0");
  }
  return out;
}

/** A stable pseudo-random stream (xorshift), so every generated store is the same. */
function random(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function pickState(r) {
  if (r < 0.88) return "succeeded";
  if (r < 0.95) return "failed";
  if (r < 0.97) return "errored";
  if (r < 0.98) return "timed_out";
  return "stopped";
}

function phasesFor(state, start, rnd) {
  const out = [];
  let t = start;
  const last = state === "succeeded" ? PHASES.length - 1 : 3 + Math.floor(rnd() * 5);
  for (let i = 0; i <= last; i++) {
    const seconds = i === 6 ? 60 + Math.floor(rnd() * 300) : Math.floor(rnd() * 20);
    const failedHere = i === last && state !== "succeeded";
    out.push({ type: PHASES[i], status: i === PHASES.length - 1 ? undefined : failedHere ? (state === "timed_out" ? "TIMED_OUT" : state === "stopped" ? "STOPPED" : "FAILED") : "SUCCEEDED", startedAt: t, endedAt: t + seconds * 1000, durationSeconds: seconds });
    t += seconds * 1000;
  }
  return { phases: out, endedAt: t };
}

/** Columns of a table, to fail clearly when a migration added one this generator cannot fill. */
function checkColumns(db, table, known) {
  const missing = db
    .prepare(`pragma table_info(${table})`)
    .all()
    .filter((c) => c.notnull && c.dflt_value === null && !c.pk && !known.includes(c.name));
  if (missing.length) throw new Error(`bench board generator: ${table} has new required columns ${missing.map((c) => c.name).join(", ")}; update bench/lib/board-data.mjs`);
}

/**
 * Adds `builds` builds and 2× deliveries to the store at `path` (already migrated). Returns
 * counts and seconds taken. `now` is the newest build's time.
 */
export function fillBoardStore(path, { builds, now = Date.now(), onProgress = () => {} }) {
  const started = performance.now();
  const db = new Database(path);
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -1000000");
  db.pragma("temp_store = MEMORY");
  checkColumns(db, "deliveries", ["source", "delivery_id", "event", "received_at", "headers", "body", "body_sha256", "status"]);
  checkColumns(db, "builds", ["dedupe_key", "delivery_row_id", "route", "provider", "repository", "event_kind", "ref", "sha", "project", "context", "source_version", "env", "state", "created_at", "updated_at"]);
  checkColumns(db, "route_decisions", ["delivery_row_id", "route", "matched", "reason"]);

  const insertDelivery = db.prepare(
    "insert into deliveries (id, source, delivery_id, event, received_at, headers, body, body_sha256, status, reason, processed_at) values (?, 'github', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const insertBuild = db.prepare(`insert into builds (id, dedupe_key, delivery_row_id, route, provider, repository, event_kind, ref, sha, pull_request, project, context, source_version, env, state,
      external_id, logs_url, error, created_at, updated_at, started_at, external_status, current_phase, phases, ended_at, resolved_sha, polled_at, superseded_by, supersede_key, event_at, head_ref, trigger)
    values (?, ?, ?, ?, 'github', ?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?)`);
  const insertDecision = db.prepare("insert into route_decisions (delivery_row_id, route, matched, reason, build_id) values (?, ?, ?, ?, ?)");
  const headers = JSON.stringify({ "x-github-event": "push", "content-type": "application/json", "user-agent": "GitHub-Hookshot/bench" });
  const rnd = random(42);
  const t0 = now - builds * SPACING_MS;

  const chunk = db.transaction((from, to) => {
    for (let k = from; k < to; k++) {
      const at = t0 + k * SPACING_MS;
      const repository = REPOSITORIES[k % REPOSITORIES.length];
      const route = ROUTES[Math.floor(k / REPOSITORIES.length) % ROUTES.length];
      const kind = rnd();
      // 30% pull requests (400 per repository), 40% main, 30% feature branches (50 per repository).
      const pr = kind < 0.3 ? 1 + Math.floor(rnd() * 400) : null;
      const ref = pr !== null ? "refs/heads/main" : kind < 0.7 ? "refs/heads/main" : `refs/heads/feature/f-${Math.floor(rnd() * 50)}`;
      const commit = sha(`c${k}`);
      const event = pr !== null ? "pull_request" : "push";
      const deliveryRow = 2 * k + 1;
      const deliveryId = `00000000-0000-4000-8000-${String(deliveryRow).padStart(12, "0")}`;
      const body = JSON.stringify({ ref, after: commit, repository: { full_name: repository }, head_commit: { id: commit, message: `Change ${k}: tidy the ${route} pipeline`, author: { name: "Mona Lisa" } }, sender: { login: `dev${k % 97}` } });
      insertDelivery.run(deliveryRow, deliveryId, event, at, headers, body, sha(`b${k}`) + sha(`c${k}`).slice(0, 24), "routed", null, at + 30);
      const ignoredId = `00000000-0000-4000-8000-${String(deliveryRow + 1).padStart(12, "0")}`;
      const reason = IGNORED[k % IGNORED.length];
      insertDelivery.run(deliveryRow + 1, ignoredId, reason.split(" ")[1], at + 1000, headers, '{"action":"completed"}', sha(`i${k}`) + sha(`j${k}`).slice(0, 24), "ignored", reason, at + 1000);

      const inFlight = k >= builds - IN_FLIGHT;
      const state = inFlight ? (rnd() < 0.3 ? "queued" : "running") : pickState(rnd());
      const start = at + 2000;
      const { phases, endedAt } = inFlight ? { phases: [{ type: "SUBMITTED", status: "SUCCEEDED", startedAt: start, endedAt: start + 1000, durationSeconds: 1 }, { type: "BUILD", startedAt: start + 1000 }], endedAt: null } : phasesFor(state, start, rnd);
      const externalId = `${route}-ci:${sha(`x${k}`).slice(0, 8)}-${k}`;
      const buildId = k + 1;
      const sourceVersion = pr !== null ? `refs/pull/${pr}/head^{${commit}}` : `${ref}^{${commit}}`;
      insertBuild.run(
        buildId, `github|${repository}|${route}|${event}|${ref}|${commit}${pr !== null ? `#${pr}` : ""}`, deliveryRow, route, repository, event, ref, commit, pr, `${route}-ci`, `buildgate/${route}`, sourceVersion, state,
        externalId, `https://console.aws.amazon.com/cloudwatch/home#logEvent:group=/aws/codebuild/${route}-ci;stream=${k}`, state === "errored" ? "Error: could not start" : null,
        at, endedAt ?? start + 1000, start, inFlight ? "IN_PROGRESS" : state.toUpperCase(), inFlight ? "BUILD" : phases[phases.length - 1].type, JSON.stringify(phases), endedAt, commit, endedAt ?? start,
        pr !== null ? `github|${repository}|${route}|pr#${pr}` : null, at, pr !== null ? `feature/pr-${pr}` : null, JSON.stringify({ deliveryId, event, action: pr !== null ? "synchronize" : undefined, actor: `dev${k % 97}` }),
      );
      insertDecision.run(deliveryRow, route, 1, `matched: ${event} to ${ref.replace("refs/heads/", "")}`, buildId);
      insertDecision.run(deliveryRow + 1, route, 0, reason, null);
    }
  });
  // Secondary indexes are dropped for the load and built again after it (sorted builds are far
  // faster than a million random inserts); the UNIQUE constraints' own indexes stay.
  const indexes = db.prepare("select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in ('deliveries', 'builds', 'route_decisions')").all();
  for (const i of indexes) db.exec(`drop index ${i.name}`);
  const step = 50_000;
  for (let from = 0; from < builds; from += step) {
    chunk(from, Math.min(builds, from + step));
    onProgress(Math.min(builds, from + step));
  }
  for (const i of indexes) db.exec(i.sql);
  const hasHeads = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'build_heads'").get();
  if (hasHeads) {
    // The same backfill as migration 003-board: the newest build of each lane and route.
    db.exec(`insert or replace into build_heads (repository, lane, route, build_id, updated_at)
      select repository, case when pull_request is null then ref else 'pr#' || pull_request end, route, max(id), max(updated_at)
      from builds group by 1, 2, 3`);
  }
  // No ANALYZE: buildgate never runs it, so the planner sees what it sees in production.
  db.pragma("journal_mode = WAL");
  db.close();
  return { builds, deliveries: 2 * builds, seconds: (performance.now() - started) / 1000 };
}

/** The migrations a store has applied. */
export function appliedMigrations(path) {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("select name from kysely_migration order by name").all().map((r) => r.name);
  } finally {
    db.close();
  }
}

/** Makes the newest builds in flight again (a cached store ages between runs) and clears jobs. */
export function refreshBoardStore(path, now = Date.now()) {
  const db = new Database(path);
  const max = db.prepare("select max(id) as id from builds").get().id ?? 0;
  db.prepare("update builds set state = case when id % 3 = 0 then 'queued' else 'running' end, started_at = ?, updated_at = ?, ended_at = null, error = null, external_status = 'IN_PROGRESS' where id > ?").run(now, now, max - IN_FLIGHT);
  db.exec("delete from jobs");
  db.close();
}
