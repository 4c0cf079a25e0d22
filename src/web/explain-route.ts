import express, { type Router } from "express";
import { deliveryOutcome } from "../store/delivery-outcome.js";
import { explainDelivery } from "../store/explain-delivery.js";
import { filterValue, NO_BUILD_LOGS, positiveInt, type BoardContext } from "./board/board-context.js";
import { parseBuildFilter } from "./board/build-filter.js";
import { createBuildLogRoute } from "./build-log-route.js";
import { redactPayload, toBuildView, toFailedBuildView, toFailureView, toPhaseViews } from "./board/view-model.js";
import { HttpError } from "../domain/http-error.js";

const PAGE = 50;

/**
 * The JSON API: the board's pages as data (`/api/dashboard`, `/api/builds`, `/api/builds/:id`,
 * `/api/deliveries`, `/api/deliveries/:id`, `/api/dead-letters`, `/api/builds/:id/log`) and `explain` by delivery id.
 * Access is the board's (a session, or `Authorization: Bearer <server.apiToken>`).
 */
export function createApiRouter(ctx: Pick<BoardContext, "store" | "linkOptions"> & Partial<Pick<BoardContext, "logs">>): Router {
  const router = express.Router();
  router.use(createBuildLogRoute({ store: ctx.store, logs: ctx.logs ?? NO_BUILD_LOGS }));
  const view = (b: Parameters<typeof toBuildView>[0]) => toBuildView(b, ctx.linkOptions);
  router.get("/dashboard", async (_req, res) => {
    const [lanes, inFlight, failures] = await Promise.all([ctx.store.dashboard(30), ctx.store.inFlight(20), ctx.store.recentFailures(10)]);
    res.json({ lanes: lanes.map((l) => ({ ...l, builds: l.builds.map(view) })), inFlight: inFlight.map(view), failures: failures.map((b) => toFailedBuildView(b, ctx.linkOptions)) });
  });
  router.get("/builds", async (req, res) => {
    const before = positiveInt(req.query.before);
    const rows = await ctx.store.listBuildsPage({ ...parseBuildFilter(req.query).filter, ...(before ? { before } : {}), limit: PAGE });
    res.json({ builds: rows.map(view), next: rows.length === PAGE ? rows[rows.length - 1]?.id : null });
  });
  router.get("/builds/:id", async (req, res) => {
    const id = positiveInt(req.params.id);
    const b = id ? await ctx.store.getBuild(id) : undefined;
    if (!b) throw new HttpError(404, "no such build");
    res.json({ build: view(b), phases: toPhaseViews(b), failure: toFailureView(b), reports: await ctx.store.statusReportsOf(b.id) });
  });
  router.get("/deliveries", async (req, res) => {
    const before = positiveInt(req.query.before);
    const rows = await ctx.store.listDeliveriesPage({ source: filterValue(req.query.source, 20), status: filterValue(req.query.status, 20), ...(before ? { before } : {}), limit: PAGE });
    res.json({ deliveries: rows.map(({ body: _body, headers: _headers, ...d }) => ({ ...d, outcome: deliveryOutcome(d).outcome })), next: rows.length === PAGE ? rows[rows.length - 1]?.id : null });
  });
  router.get("/deliveries/:deliveryId/explain", async (req, res) => {
    const explained = await explainDelivery(ctx.store, String(req.params.deliveryId));
    if (explained.length === 0) throw new HttpError(404, "no delivery with that id");
    res.json({ deliveries: explained });
  });
  router.get("/deliveries/:id", async (req, res) => {
    const id = positiveInt(req.params.id);
    const d = id ? await ctx.store.getDelivery(id) : undefined;
    if (!d) throw new HttpError(404, "no such delivery");
    let payload: unknown;
    try {
      payload = redactPayload(JSON.parse(d.body));
    } catch {
      payload = null;
    }
    const decisions = await ctx.store.listDecisions(d.id);
    res.json({ delivery: { ...d, body: undefined, headers: JSON.parse(d.headers) as unknown, payload, outcome: deliveryOutcome(d, decisions).outcome }, decisions, builds: (await ctx.store.listBuilds({ deliveryRowId: d.id })).map(view) });
  });
  router.get("/dead-letters", async (req, res) => {
    res.json({ jobs: await ctx.store.deadJobs(positiveInt(req.query.before), PAGE) });
  });
  return router;
}
