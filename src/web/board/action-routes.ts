import express, { type Router } from "express";
import type { Logger } from "pino";
import { requireOperator } from "../auth/access.js";
import { HttpError } from "../../domain/http-error.js";
import { positiveInt, type BoardContext } from "./board-context.js";

/**
 * Operator actions, POST only, behind CSRF + Origin checks: rebuild, stop, replay, retry.
 * Each is audited in the log with who did it.
 */
export function createActionRoutes(ctx: BoardContext, log: Logger, wake: () => void): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: "4kb" });
  const guard = [form, ctx.auth.csrf, requireOperator];
  const idOf = (value: unknown) => {
    const id = positiveInt(value);
    if (!id) throw new HttpError(404, "not found");
    return id;
  };
  const audit = (req: express.Request, action: string, target: number, result: number | boolean | undefined) => log.info({ audit: true, actor: req.user?.name, action, target, result }, `board action: ${action}`);

  router.post("/builds/:id/rebuild", ...guard, async (req, res) => {
    const id = idOf(req.params.id);
    const newId = await ctx.store.rebuild(id, req.user?.name ?? "unknown", ctx.now());
    audit(req, "rebuild", id, newId);
    if (!newId) throw new HttpError(404, "no such build");
    wake();
    res.redirect(303, `/builds/${newId}`);
  });

  router.post("/builds/:id/stop", ...guard, async (req, res) => {
    const id = idOf(req.params.id);
    const stopped = await ctx.store.stopBuild(id, ctx.now());
    audit(req, "stop", id, stopped);
    if (!stopped) throw new HttpError(409, "the build is not running");
    wake();
    res.redirect(303, `/builds/${id}`);
  });

  router.post("/deliveries/:id/replay", ...guard, async (req, res) => {
    const id = idOf(req.params.id);
    const newId = await ctx.store.replayDelivery(id, ctx.now());
    audit(req, "replay", id, newId);
    if (!newId) throw new HttpError(404, "no such delivery");
    wake();
    res.redirect(303, `/deliveries/${newId}`);
  });

  router.post("/dead-letters/:id/retry", ...guard, async (req, res) => {
    const id = idOf(req.params.id);
    const retried = await ctx.store.retryDeadJob(id, ctx.now());
    audit(req, "retry", id, retried);
    if (!retried) throw new HttpError(409, "the job is not in dead letters");
    wake();
    res.redirect(303, "/dead-letters");
  });
  return router;
}
