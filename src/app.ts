import express, { type Express } from "express";
import type { Logger } from "pino";
import type { Config } from "./config/config.js";
import type { BuildLogs } from "./domain/build-logs.js";
import type { Inbox } from "./intake/create-inbox.js";
import { createEventBridgeIntake } from "./intake/eventbridge-intake.js";
import { createGithubIntake } from "./intake/github-intake.js";
import { createSnsIntake, fetchSubscribeUrl } from "./intake/sns-intake.js";
import type { CertificateSource } from "./intake/sns/cert-cache.js";
import { countDeliveries } from "./metrics/count-deliveries.js";
import { refuseWhileDraining, type DrainState } from "./web/drain-state.js";
import { createMetrics, type Metrics } from "./metrics/metrics.js";
import { createMetricsRoute } from "./web/metrics-route.js";
import { readinessProblem } from "./web/readiness.js";
import type { Store } from "./store/store.js";
import { createErrorMiddleware } from "./web/error-middleware.js";
import { linkOptionsOf } from "./web/board/board-context.js";
import { mountBoard } from "./web/board/mount-board.js";
import { requireApiAccess } from "./web/api-access.js";
import { isLoopbackHost } from "./web/loopback.js";
import { createApiRouter } from "./web/explain-route.js";
import { HttpError } from "./domain/http-error.js";
import { requestLogger } from "./web/request-logger.js";

export interface AppDeps {
  readonly config: Config;
  readonly store: Store;
  readonly inbox: Inbox;
  readonly log: Logger;
  readonly now?: () => number;
  /** SNS signing certificates (pinned, then fetched and cached); required when codecommit.sns is configured. */
  readonly snsCertificates?: CertificateSource;
  /** The shipped demo config is running: the board says so. */
  readonly demo?: boolean;
  /** Wakes the job runner after a board action queued work. */
  readonly wake?: () => void;
  /** Confirms a verified SNS subscription (default: GET the SubscribeURL). */
  readonly confirmSubscription?: (url: URL) => Promise<void>;
  /** The process's metrics (main.ts shares them with the job runner and adapters); default: a registry of this app's own. */
  readonly metrics?: Metrics;
  /** The local runner's log file of a build id (the board serves it); none without a local runner. */
  readonly localLogFile?: (externalId: string) => string | undefined;
  /** Build logs for the board (see domain/build-logs.ts). */
  readonly logs?: BuildLogs;
  /** Set while shutting down: webhooks get 503 and /readyz fails. Default: never. */
  readonly drain?: Pick<DrainState, "draining">;
}

function mountCodeCommit(app: Express, deps: AppDeps): void {
  const { codecommit } = deps.config;
  const now = deps.now ? { now: deps.now } : {};
  if (codecommit?.sns && deps.snsCertificates) {
    const confirm = codecommit.sns.confirmSubscriptions ? { confirm: deps.confirmSubscription ?? fetchSubscribeUrl } : {};
    app.use("/webhooks/sns", createSnsIntake({ topicArns: codecommit.sns.topicArns, certificates: deps.snsCertificates, inbox: deps.inbox, log: deps.log, ...confirm, ...now }));
  }
  if (codecommit?.eventbridge) {
    app.use("/webhooks/eventbridge", createEventBridgeIntake({ auth: codecommit.eventbridge, inbox: deps.inbox, log: deps.log, ...now }));
  }
  for (const path of ["/webhooks/sns", "/webhooks/eventbridge"]) {
    app.all(path, () => {
      throw new HttpError(404, `${path} is not configured (codecommit section)`);
    });
  }
}

export interface BuildgateApp {
  readonly app: Express;
  /** Ends what the app keeps open besides requests (the board's live updates); idempotent. */
  close(): void;
}

/** The Express app, without listening: tests drive it directly. */
export function createApp(appDeps: AppDeps): BuildgateApp {
  const metrics = appDeps.metrics ?? createMetrics({ store: appDeps.store, log: appDeps.log });
  const drain = appDeps.drain ?? { draining: false };
  // Every intake stores through the counting inbox: deliveries by source and outcome.
  const deps: AppDeps = { ...appDeps, inbox: countDeliveries(appDeps.inbox, metrics.countDelivery) };
  const app = express();
  app.disable("x-powered-by");
  // No ETag on dynamic answers: hashing every webhook reply costs CPU on the hot path, and the
  // board's pages differ per request anyway (CSRF tokens, live state). Static files keep theirs.
  app.set("etag", false);
  // Whom to believe about the client's address (X-Forwarded-For): the login rate limit keys on it.
  app.set("trust proxy", deps.config.server.trustProxy);
  app.use(requestLogger(deps.log));

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const problem = await readinessProblem({ store: deps.store, drain, log: deps.log });
    if (problem) res.status(503).json({ status: "unavailable", error: problem });
    else res.json({ status: "ready" });
  });
  app.use("/metrics", createMetricsRoute(metrics.registry, deps.config.server.metricsToken));
  app.use("/webhooks", refuseWhileDraining(drain));

  if (deps.config.github) {
    app.use("/webhooks/github", createGithubIntake({ secrets: deps.config.github.webhookSecrets, inbox: deps.inbox, log: deps.log, ...(deps.now ? { now: deps.now } : {}) }));
  } else {
    app.all("/webhooks/github", () => {
      throw new HttpError(404, "the GitHub intake is not configured (no github section)");
    });
  }
  mountCodeCommit(app, deps);
  // Without a board section the board is served only on loopback (auth none, local development);
  // elsewhere buildgate serves webhooks alone until board.auth is configured.
  const boardEnabled = deps.config.board !== undefined || isLoopbackHost(deps.config.server.host);
  const board = boardEnabled ? mountBoard(app, { config: deps.config, store: deps.store, log: deps.log, wake: deps.wake ?? (() => undefined), demo: deps.demo === true, ...(deps.now ? { now: deps.now } : {}), ...(deps.localLogFile ? { localLogFile: deps.localLogFile } : {}), ...(deps.logs ? { logs: deps.logs } : {}) }) : undefined;
  if (!board) app.use("/api", requireApiAccess(deps.config.server.apiToken), createApiRouter({ store: deps.store, linkOptions: linkOptionsOf(deps.config), ...(deps.logs ? { logs: deps.logs } : {}) }));

  app.use(() => {
    throw new HttpError(404, "not found");
  });
  app.use(createErrorMiddleware(deps.log, metrics.countDelivery));
  return { app, close: () => board?.close() };
}
