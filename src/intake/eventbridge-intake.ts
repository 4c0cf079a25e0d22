import { createHash } from "node:crypto";
import express, { type Router } from "express";
import type { Logger } from "pino";
import { HANDLED_DETAIL_TYPES } from "../providers/codecommit/normalize-codecommit-delivery.js";
import { HttpError } from "../domain/http-error.js";
import { checkEventBridgeAuth, type EventBridgeAuth } from "./check-eventbridge-auth.js";
import type { Inbox } from "./create-inbox.js";
import { readRawBody } from "./read-raw-body.js";
import { redactHeaders } from "./redact-headers.js";
import { postOnly } from "./post-only.js";

// EventBridge sends at most 1 MiB (Range: bytes=0-1048575); events themselves are ≤ 256 KB.
const LIMIT = 1024 * 1024;
const EVENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface EventBridgeIntakeDeps {
  readonly auth: EventBridgeAuth;
  readonly inbox: Inbox;
  readonly log: Logger;
  readonly now?: () => number;
}

function parseEnvelope(raw: string): { id: string; detailType: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new HttpError(400, "body is not valid JSON");
  }
  const e = parsed as Record<string, unknown> | null;
  if (!e || typeof e !== "object" || Array.isArray(e)) throw new HttpError(400, "body must be a JSON object");
  if (typeof e.id !== "string" || !EVENT_ID.test(e.id)) throw new HttpError(400, "event has no valid id");
  if (typeof e["detail-type"] !== "string" || typeof e.source !== "string") throw new HttpError(400, "event has no detail-type or source");
  if (!e.detail || typeof e.detail !== "object") throw new HttpError(400, "event has no detail object");
  return { id: e.id, detailType: e["detail-type"] };
}

/**
 * `POST /webhooks/eventbridge`: an EventBridge API destination. 401 unauthenticated (retried
 * by EventBridge), 400 malformed (not retried), 202 stored, 200 duplicate or ignored — never 409,
 * which EventBridge would retry.
 */
export function createEventBridgeIntake(deps: EventBridgeIntakeDeps): Router {
  const now = deps.now ?? Date.now;
  const router = express.Router();
  router.all("/", postOnly);
  router.post("/", async (req, res) => {
    if (!checkEventBridgeAuth(deps.auth, req.headers)) {
      deps.log.warn("eventbridge delivery rejected: missing or wrong credentials");
      throw new HttpError(401, "missing or wrong API key", true, deps.auth.basicAuth ? { "WWW-Authenticate": 'Basic realm="buildgate"' } : {});
    }
    const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (type !== "application/json") throw new HttpError(415, "use application/json");
    const raw = (await readRawBody(req, LIMIT)).toString("utf8");
    const { id, detailType } = parseEnvelope(raw);
    const ignoredReason = HANDLED_DETAIL_TYPES.has(detailType) ? undefined : `detail-type ${detailType} is not handled`;
    let outcome;
    try {
      outcome = await deps.inbox.accept({
        source: "eventbridge",
        deliveryId: id,
        event: detailType,
        headers: redactHeaders(req.headers),
        body: raw,
        bodySha256: createHash("sha256").update(raw).digest("hex"),
        receivedAt: now(),
        ...(ignoredReason ? { ignoredReason } : {}),
      });
    } catch (err) {
      deps.log.error({ err, eventId: id }, "could not store eventbridge event");
      throw new HttpError(503, "could not store the event; retry later", true, { "Retry-After": "5" });
    }
    if (outcome === "duplicate") res.status(200).json({ status: "duplicate", id });
    else if (ignoredReason) res.status(200).json({ status: "ignored", id, reason: ignoredReason });
    else res.status(202).json({ status: "accepted", id });
  });
  return router;
}
