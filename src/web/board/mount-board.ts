import { fileURLToPath } from "node:url";
import ejs from "ejs";
import express, { type Express } from "express";
import helmet from "helmet";
import type { Logger } from "pino";
import type { Config } from "../../config/config.js";
import type { BuildLogs } from "../../domain/build-logs.js";
import { toCommitState } from "../../domain/build-state.js";
import type { Store } from "../../store/store.js";
import { requireViewer } from "../auth/access.js";
import { createLoginRoutes } from "../auth/login-routes.js";
import { setupAuth } from "../auth/setup-auth.js";
import { createApiRouter } from "../explain-route.js";
import { createActionRoutes } from "./action-routes.js";
import { renderBadge } from "./badge.js";
import { timeTag } from "./time-tag.js";
import { createBoardContext } from "./board-context.js";
import { createLiveUpdates } from "./live-updates.js";
import { createPageRoutes } from "./page-routes.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface MountedBoard {
  /** Ends the live-update streams and stops their timer. */
  close(): void;
}

export interface BoardDeps {
  readonly config: Config;
  readonly store: Store;
  readonly log: Logger;
  readonly wake: () => void;
  readonly demo?: boolean;
  readonly now?: () => number;
  /** The local runner's log file of a build id, when the config has a local section. */
  readonly localLogFile?: (externalId: string) => string | undefined;
  /** Build logs for the build page and the log API (none: every log reads "unavailable"). */
  readonly logs?: BuildLogs;
}

/**
 * The team board on an app whose webhook routes are already mounted: helmet (a CSP without
 * unsafe-inline), sessions and passport, public badges, then everything else behind sign-in.
 * Returns what must be closed at shutdown: the live-update streams (open SSE responses would
 * otherwise hold the server's close until its drain bound cuts them off).
 */
export function mountBoard(app: Express, deps: BoardDeps): MountedBoard {
  const views = `${ROOT}views`;
  app.set("views", views);
  app.set("view engine", "ejs");
  // Compile each template once. Express caches views only when NODE_ENV=production; uncached,
  // EJS reads and compiles every include again, once per table row: 5 ms of a 50-row page.
  // Includes are absolute ("/partials/state", resolved against `root`): EJS checks that a
  // relative include exists on disk on every call, cached or not (150 calls on the dashboard).
  app.enable("view cache");
  app.engine("ejs", (path, data, done) => ejs.renderFile(path, data, { cache: true, root: views }, done));
  app.locals.demo = deps.demo === true;
  // Relative times in every template (`<%- timeTag(iso, now) %>`); each page passes its `now`.
  app.locals.timeTag = timeTag;
  const secure = deps.config.server.publicUrl.startsWith("https://");
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"], "img-src": ["'self'", "data:"], "connect-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'none'"], "frame-ancestors": ["'none'"], "form-action": ["'self'", "https://github.com"] } },
      strictTransportSecurity: secure ? { maxAge: 15_552_000 } : false,
      referrerPolicy: { policy: "same-origin" },
    }),
  );
  app.use("/static", express.static(`${ROOT}public`, { maxAge: "1h", index: false }));

  const auth = setupAuth(app, deps.config, deps.store, deps.log);
  const ctx = createBoardContext(deps.store, deps.config, auth, deps.now, deps.localLogFile, deps.logs);
  const badges = express.Router();
  badges.get("/badges/:route.svg", async (req, res) => {
    const route = String(req.params.route);
    const branch = typeof req.query.branch === "string" && req.query.branch.length <= 256 ? req.query.branch : "main";
    const build = deps.config.routes.some((r) => r.name === route) ? await deps.store.latestOnBranch(route, `refs/heads/${branch}`) : undefined;
    res.type("image/svg+xml").set("cache-control", "no-cache").send(renderBadge(route, build ? toCommitState(build.state) : "unknown"));
  });
  if (deps.config.board?.publicBadges ?? true) app.use(badges);
  app.use(createLoginRoutes(auth, deps.config.board?.loginAttempts ?? 10, deps.log));

  const live = createLiveUpdates(ctx, deps.log);
  const viewer = requireViewer(auth.mode, deps.config.server.apiToken);
  app.use("/api", viewer, createApiRouter(ctx));
  app.get("/events", viewer, (req, res) => live.handler(req, res));
  app.use(viewer, badges, createPageRoutes(ctx), createActionRoutes(ctx, deps.log, deps.wake));
  return { close: () => live.close() };
}
