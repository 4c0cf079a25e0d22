import express, { type Request, type Response, type Router } from "express";
import { BUILD_STATES } from "../../domain/build-state.js";
import type { BuildLogs, LogSlice } from "../../domain/build-logs.js";
import { HttpError } from "../../domain/http-error.js";
import { withoutAnsi } from "../../domain/without-ansi.js";
import { filterValue, positiveInt, type BoardContext } from "./board-context.js";
import { deliveryOutcome } from "../../store/delivery-outcome.js";
import { parseBuildFilter } from "./build-filter.js";
import { redactPayload, toBuildView, toFailedBuildView, toFailureView, toLaneView, toPhaseViews } from "./view-model.js";

const PAGE = 50;

/** Renders a view with explicit fields only (never the request object: EJS options injection). */
function page(ctx: BoardContext, req: Request, res: Response, view: string, title: string, data: Record<string, unknown>): void {
  // `now`: what relative times ("3 min ago", views/partials/time.ejs) count from.
  res.render(view, { title, user: req.user, csrfToken: ctx.auth.csrfToken(req, res), authMode: ctx.auth.mode, now: ctx.now(), ...data });
}

/** The server-rendered pages: dashboard, builds, build, deliveries, delivery, dead letters. */
export function createPageRoutes(ctx: BoardContext): Router {
  const router = express.Router();
  const view = (b: Parameters<typeof toBuildView>[0]) => toBuildView(b, ctx.linkOptions);

  router.get("/", async (req, res) => {
    const [lanes, inFlight, failures] = await Promise.all([ctx.store.dashboard(30), ctx.store.inFlight(20), ctx.store.recentFailures(10)]);
    page(ctx, req, res, "dashboard", "Dashboard", {
      lanes: lanes.map((l) => toLaneView(l, ctx.linkOptions)),
      inFlight: inFlight.map(view),
      failures: failures.map((b) => toFailedBuildView(b, ctx.linkOptions)),
    });
  });

  router.get("/builds", async (req, res) => {
    // Filters as the pages show them (build-filter.ts): `main`, `#12`, any case of a repository; an unknown state is a 400.
    const { filter: parsed, form: filter } = parseBuildFilter(req.query);
    const before = positiveInt(req.query.before);
    const rows = await ctx.store.listBuildsPage({ ...parsed, ...(before ? { before } : {}), limit: PAGE + 1 });
    const builds = rows.slice(0, PAGE).map(view);
    const next = rows.length > PAGE ? builds[builds.length - 1]?.id : undefined;
    const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined));
    if (next) query.set("before", String(next));
    page(ctx, req, res, "builds", "Builds", { builds, filter, states: BUILD_STATES, routes: ctx.config.routes.map((r) => r.name), nextUrl: next ? `/builds?${query.toString()}` : undefined });
  });

  router.get("/builds/:id", async (req, res) => {
    const id = positiveInt(req.params.id);
    const build = id ? await ctx.store.getBuild(id) : undefined;
    if (!build) throw new HttpError(404, "no such build");
    const [reports, delivery, log] = await Promise.all([ctx.store.statusReportsOf(build.id), ctx.store.getDelivery(build.delivery_row_id), logTail(ctx.logs, build.id)]);
    const trigger = build.trigger ? (JSON.parse(build.trigger) as Record<string, unknown>) : {};
    page(ctx, req, res, "build", `Build #${build.id}`, {
      build: view(build),
      failure: toFailureView(build),
      phases: toPhaseViews(build),
      trigger: { deliveryId: String(trigger.deliveryId ?? delivery?.delivery_id ?? ""), event: String(trigger.event ?? build.event_kind), action: String(trigger.action ?? ""), actor: String(trigger.actor ?? ""), command: trigger.command ? String(trigger.command) : undefined, rebuildOf: trigger.rebuildOf ? Number(trigger.rebuildOf) : undefined },
      deliveryRowId: delivery?.id,
      commitMessage: commitMessageOf(delivery?.body, build.sha),
      log,
      // Without github.auth the GitHub API only logs each status (logging-github-api.ts): nothing was posted.
      reports: reports.map((r) => ({ state: r.state, description: r.description, reportedAt: r.reported_at ? new Date(Number(r.reported_at)).toISOString() : undefined, posts: r.posts, error: r.error, logged: r.provider === "github" && !ctx.config.github?.auth })),
      error: build.error,
    });
  });

  // The local runner's build log (CodeBuild builds link to CloudWatch instead).
  router.get("/builds/logs/:externalId", async (req, res) => {
    const externalId = String(req.params.externalId);
    const logFile = ctx.localLogFile(externalId);
    const build = logFile ? await ctx.store.findBuildByExternalId(externalId) : undefined;
    if (!logFile || !build) throw new HttpError(404, "no such local build log");
    res.type("text/plain; charset=utf-8").set("content-disposition", "inline").set("x-content-type-options", "nosniff");
    res.sendFile(logFile, (err) => {
      if (err && !res.headersSent) res.status(404).type("text/plain").send("no log yet");
    });
  });

  router.get("/deliveries", async (req, res) => {
    const filter = { source: filterValue(req.query.source, 20), status: filterValue(req.query.status, 20) };
    const before = positiveInt(req.query.before);
    const rows = await ctx.store.listDeliveriesPage({ ...filter, ...(before ? { before } : {}), limit: PAGE + 1 });
    const deliveries = rows.slice(0, PAGE).map((d) => ({ id: d.id, source: d.source, deliveryId: d.delivery_id, event: d.event, status: d.status, ...outcomeOf(d), reason: d.reason, receivedAt: new Date(Number(d.received_at)).toISOString() }));
    const next = rows.length > PAGE ? deliveries[deliveries.length - 1]?.id : undefined;
    const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined));
    if (next) query.set("before", String(next));
    page(ctx, req, res, "deliveries", "Deliveries", { deliveries, filter, nextUrl: next ? `/deliveries?${query.toString()}` : undefined });
  });

  router.get("/deliveries/:id", async (req, res) => {
    const id = positiveInt(req.params.id);
    const d = id ? await ctx.store.getDelivery(id) : undefined;
    if (!d) throw new HttpError(404, "no such delivery");
    const [decisions, builds] = await Promise.all([ctx.store.listDecisions(d.id), ctx.store.listBuilds({ deliveryRowId: d.id })]);
    let payload: string;
    try {
      payload = JSON.stringify(redactPayload(JSON.parse(d.body)), null, 2);
    } catch {
      payload = "(not JSON)";
    }
    page(ctx, req, res, "delivery", `Delivery ${d.delivery_id}`, {
      delivery: { id: d.id, source: d.source, deliveryId: d.delivery_id, event: d.event, status: d.status, ...outcomeOf(d, decisions), reason: d.reason, receivedAt: new Date(Number(d.received_at)).toISOString(), headers: JSON.parse(d.headers) as Record<string, string> },
      decisions: decisions.map((x) => ({ route: x.route, matched: x.matched === 1, reason: x.reason, buildId: x.build_id })),
      builds: builds.map(view),
      payload: payload.length > 200_000 ? `${payload.slice(0, 200_000)}\n… (truncated)` : payload,
    });
  });

  router.get("/dead-letters", async (req, res) => {
    const jobs = await ctx.store.deadJobs(positiveInt(req.query.before), PAGE);
    page(ctx, req, res, "dead-letters", "Dead letters", {
      jobs: jobs.map((j) => ({ id: j.id, kind: j.kind, payload: j.payload, attempts: j.attempts, lastError: j.last_error, updatedAt: new Date(Number(j.updated_at)).toISOString() })),
      nextUrl: jobs.length === PAGE ? `/dead-letters?before=${jobs[jobs.length - 1]?.id}` : undefined,
    });
  });
  return router;
}

/** A delivery's outcome as shown ("no route matched" for a routed delivery that matched none) and its label. */
function outcomeOf(d: { status: string; reason: string | null }, decisions?: ReadonlyArray<{ matched: number }>): { outcome: string; outcomeLabel: string } {
  const o = deliveryOutcome(d, decisions);
  return { outcome: o.outcome, outcomeLabel: o.label };
}

const LOG_TAIL = 200;

/** The last lines of a build's log as plain text lines; a log that cannot be read is a notice on the page, never an error page. */
async function logTail(logs: BuildLogs, buildId: number): Promise<LogSlice> {
  try {
    const slice = await logs.last(buildId, LOG_TAIL);
    return { ...slice, lines: slice.lines.map((l) => ({ n: l.n, text: withoutAnsi(l.text) })) };
  } catch {
    return { lines: [], total: 0, complete: false, notice: { kind: "delayed", message: "log delayed: it could not be read just now; reload to try again" } };
  }
}

/** The head commit's message from a stored push payload, when it is the built commit. */
function commitMessageOf(body: string | undefined, sha: string): string | undefined {
  if (!body) return undefined;
  try {
    const p = JSON.parse(body) as { head_commit?: { id?: string; message?: string }; pull_request?: { title?: string } };
    if (p.head_commit?.id === sha) return p.head_commit.message;
    return p.pull_request?.title;
  } catch {
    return undefined;
  }
}
