import { createHash } from "node:crypto";
import express, { type RequestHandler, type Router } from "express";
import type { Logger } from "pino";
import { ignoredGithubEventReason } from "../providers/github/normalize-github-event.js";
import { HttpError } from "../domain/http-error.js";
import type { Inbox } from "./create-inbox.js";
import { decodeGithubBody, githubContentType } from "./decode-github-body.js";
import { readRawBody } from "./read-raw-body.js";
import { redactHeaders } from "./redact-headers.js";
import { verifyGithubSignature } from "./verify-github-signature.js";
import { postOnly } from "./post-only.js";

// GitHub caps webhook payloads at 25 MB.
export const GITHUB_BODY_LIMIT = 25 * 1024 * 1024;

const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;

export interface GithubIntakeDeps {
  readonly secrets: readonly string[];
  readonly inbox: Inbox;
  readonly log: Logger;
  readonly now?: () => number;
}

const requireHeaders: RequestHandler = (req, _res, next) => {
  githubContentType(req.headers["content-type"]);
  const event = req.header("x-github-event");
  const delivery = req.header("x-github-delivery");
  if (!event || !EVENT_NAME.test(event)) throw new HttpError(400, "missing or invalid X-GitHub-Event header");
  if (!delivery || !DELIVERY_ID.test(delivery)) throw new HttpError(400, "missing or invalid X-GitHub-Delivery header");
  next();
};

/**
 * `POST /webhooks/github`: checks run in a fixed order, cheapest first, and nothing is parsed
 * before the signature is verified:
 * 405 method → 415 content type → 400 headers → 413 size → 401 signature → 400 JSON → store → 202/200.
 */
export function createGithubIntake(deps: GithubIntakeDeps): Router {
  const now = deps.now ?? Date.now;
  const router = express.Router();

  router.all("/", postOnly);

  router.post("/", requireHeaders, async (req, res) => {
    const event = req.header("x-github-event") as string;
    const deliveryId = req.header("x-github-delivery") as string;
    const raw = (await readRawBody(req, GITHUB_BODY_LIMIT)).toString("utf8");
    // 1. Authenticate the exact bytes before anything else looks at them.
    if (!(await verifyGithubSignature(deps.secrets, raw, req.header("x-hub-signature-256")))) {
      deps.log.warn({ deliveryId, event }, "github delivery rejected: missing or invalid X-Hub-Signature-256");
      throw new HttpError(401, "missing or invalid X-Hub-Signature-256 signature");
    }
    // 2. A verified body must still be a JSON object.
    const body = decodeGithubBody(raw, githubContentType(req.headers["content-type"]));
    // 3. ping needs no storage: it only tests the hook.
    if (event === "ping") {
      res.status(200).json({ ok: true, message: "pong" });
      return;
    }
    // 4. Store, then answer: 202 only after the commit.
    const ignoredReason = ignoredGithubEventReason(event);
    let outcome;
    try {
      outcome = await deps.inbox.accept({
        source: "github",
        deliveryId,
        event,
        headers: redactHeaders(req.headers),
        body,
        bodySha256: createHash("sha256").update(body).digest("hex"),
        receivedAt: now(),
        ...(ignoredReason ? { ignoredReason } : {}),
      });
    } catch (err) {
      deps.log.error({ err, deliveryId }, "could not store github delivery");
      throw new HttpError(503, "could not store the delivery; retry later", true, { "Retry-After": "5" });
    }
    if (outcome === "duplicate") res.status(200).json({ status: "duplicate", deliveryId });
    else if (ignoredReason) res.status(200).json({ status: "ignored", deliveryId, reason: ignoredReason });
    else res.status(202).json({ status: "accepted", deliveryId });
  });
  return router;
}
