import express, { type Express } from "express";
import type { Logger } from "pino";
import type { Config } from "./config/config.js";
import type { Inbox } from "./intake/create-inbox.js";
import { createGithubIntake } from "./intake/github-intake.js";
import type { Store } from "./store/store.js";
import { createErrorMiddleware } from "./web/error-middleware.js";
import { createApiRouter } from "./web/explain-route.js";
import { HttpError } from "./web/http-error.js";
import { requestLogger } from "./web/request-logger.js";

export interface AppDeps {
  readonly config: Config;
  readonly store: Store;
  readonly inbox: Inbox;
  readonly log: Logger;
  readonly now?: () => number;
}

/** The Express app, without listening: tests drive it directly. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(requestLogger(deps.log));

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      await deps.store.ping();
      res.json({ status: "ready" });
    } catch (err) {
      deps.log.error({ err }, "readiness check failed: store does not answer");
      res.status(503).json({ status: "unavailable", error: "store does not answer" });
    }
  });

  if (deps.config.github) {
    app.use("/webhooks/github", createGithubIntake({ secrets: deps.config.github.webhookSecrets, inbox: deps.inbox, log: deps.log, ...(deps.now ? { now: deps.now } : {}) }));
  } else {
    app.all("/webhooks/github", () => {
      throw new HttpError(404, "the GitHub intake is not configured (no github section)");
    });
  }
  app.use("/api", createApiRouter(deps.store, deps.config.server.apiToken));

  app.use(() => {
    throw new HttpError(404, "not found");
  });
  app.use(createErrorMiddleware(deps.log));
  return app;
}
