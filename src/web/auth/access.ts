import { timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { HttpError } from "../../domain/http-error.js";
import type { BoardUser } from "./board-user.js";

const LOCAL_USER: BoardUser = { name: "local", role: "operator", via: "none" };

// The API and the live-update stream answer 401: a redirect to an HTML page means nothing to
// fetch() or EventSource (and would make /events a post-login destination).
const wantsJson = (path: string, accept: string | undefined) => path.startsWith("/api/") || /^\/events(\?|$)/.test(path) || /application\/json|text\/event-stream/.test(accept ?? "");

/**
 * Everyone on the board must be signed in. With auth `none` (local development, loopback only)
 * every visitor is the operator "local". A bearer `server.apiToken` admits API clients.
 */
export function requireViewer(mode: "none" | "local" | "github", apiToken: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (mode === "none" && !req.user) req.user = LOCAL_USER;
    if (req.user) return next();
    const header = req.header("authorization") ?? "";
    if (apiToken && header.startsWith("Bearer ")) {
      const given = Buffer.from(header.slice(7));
      const expected = Buffer.from(apiToken);
      if (given.length === expected.length && timingSafeEqual(given, expected)) {
        req.user = { name: "api", role: "viewer", via: "local" };
        return next();
      }
    }
    if (wantsJson(req.originalUrl, req.header("accept"))) throw new HttpError(401, "sign in or send Authorization: Bearer <server.apiToken>", true, { "WWW-Authenticate": "Bearer" });
    res.redirect(303, `/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
  };
}

/** Rebuild, stop, replay and retry are for operators. */
export const requireOperator: RequestHandler = (req, _res, next) => {
  if (req.user?.role !== "operator") throw new HttpError(403, "operators only");
  next();
};
