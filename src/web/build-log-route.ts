import express, { type Router } from "express";
import type { BuildLogs } from "../domain/build-logs.js";
import { HttpError } from "../domain/http-error.js";
import type { Store } from "../store/store.js";
import { positiveInt } from "./board/board-context.js";

/** Lines per answer unless `limit` says otherwise, and at most (each answer also stays under 2 MB of text). */
export const LOG_PAGE = 1000;
export const LOG_PAGE_MAX = 5000;

/** An optional whole-number query parameter in [min, max]; anything else is a 400 saying what is expected. */
function intParam(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d{1,10}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new HttpError(400, `${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

/**
 * `GET /builds/:id/log?after=N&limit=M`: the build's log lines after line N (0: from the first),
 * `{ lines: [{n, text}], cursor, total, complete, notice? }` — pass `cursor` as the next `after`;
 * `complete` says no more lines will come. `GET /builds/:id/log/raw`: the whole log as text.
 */
export function createBuildLogRoute(ctx: { readonly store: Pick<Store, "getBuild">; readonly logs: BuildLogs }): Router {
  const router = express.Router();
  const buildOf = async (raw: unknown) => {
    const id = positiveInt(raw);
    const build = id ? await ctx.store.getBuild(id) : undefined;
    if (!build) throw new HttpError(404, "no such build");
    return build;
  };
  router.get("/builds/:id/log", async (req, res) => {
    const build = await buildOf(req.params.id);
    const after = intParam(req.query.after, "after", 0, 2 ** 31) ?? 0;
    const limit = intParam(req.query.limit, "limit", 1, LOG_PAGE_MAX) ?? LOG_PAGE;
    const slice = await ctx.logs.after(build.id, after, limit);
    res.set("cache-control", "no-store").json({ lines: slice.lines, cursor: slice.lines.at(-1)?.n ?? after, total: slice.total, complete: slice.complete, ...(slice.notice ? { notice: slice.notice } : {}) });
  });
  router.get("/builds/:id/log/raw", async (req, res) => {
    const build = await buildOf(req.params.id);
    const raw = await ctx.logs.raw(build.id);
    if (!raw) throw new HttpError(404, "this build has no log (yet)");
    res.status(200).type("text/plain; charset=utf-8").set({ "cache-control": "no-store", "content-disposition": `attachment; filename="build-${build.id}.log"`, "x-content-type-options": "nosniff" });
    for await (const chunk of raw) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once("drain", resolve));
      if (res.destroyed) return;
    }
    res.end();
  });
  return router;
}
