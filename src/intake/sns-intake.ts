import { createHash } from "node:crypto";
import express, { type Router } from "express";
import type { Logger } from "pino";
import { HttpError } from "../domain/http-error.js";
import type { Inbox } from "./create-inbox.js";
import { readRawBody } from "./read-raw-body.js";
import { redactHeaders } from "./redact-headers.js";
import type { CertificateSource } from "./sns/cert-cache.js";
import { checkSubscribeUrl } from "./sns/check-cert-url.js";
import { parseSnsMessage, type SnsMessage } from "./sns/sns-message.js";
import { verifySnsMessage } from "./sns/verify-sns-message.js";
import { postOnly } from "./post-only.js";

// SNS messages are at most 256 KB; leave room for the envelope's escaping.
const LIMIT = 1024 * 1024;
const ACCEPTED_TYPES = new Set(["text/plain", "application/json"]);

export interface SnsIntakeDeps {
  readonly topicArns: readonly string[];
  readonly certificates: CertificateSource;
  /** Fetches a verified SubscribeURL; undefined: subscriptions are not confirmed automatically. */
  readonly confirm?: (url: URL) => Promise<void>;
  readonly inbox: Inbox;
  readonly log: Logger;
  readonly now?: () => number;
}

/**
 * `POST /webhooks/sns`: an Amazon SNS HTTP(S) subscription. Every message is verified (certificate
 * URL, topic allow-list, signature) before anything acts on it. SNS retries only 5xx, so a 5xx
 * is returned only when a retry can help (storage, fetching the certificate or SubscribeURL).
 */
export function createSnsIntake(deps: SnsIntakeDeps): Router {
  const now = deps.now ?? Date.now;
  const router = express.Router();
  router.all("/", postOnly);

  async function store(req: express.Request, msg: SnsMessage, ignoredReason?: string) {
    try {
      return await deps.inbox.accept({
        source: "sns",
        deliveryId: msg.MessageId,
        event: msg.Type,
        headers: redactHeaders(req.headers),
        // The verified message: a repository trigger, or an EventBridge event forwarded through SNS.
        body: msg.Type === "Notification" ? msg.Message : JSON.stringify({ TopicArn: msg.TopicArn, Type: msg.Type }),
        bodySha256: createHash("sha256").update(msg.Message).digest("hex"),
        receivedAt: now(),
        ...(ignoredReason ? { ignoredReason } : {}),
      });
    } catch (err) {
      deps.log.error({ err, messageId: msg.MessageId }, "could not store sns message");
      throw new HttpError(503, "could not store the message; retry later", true, { "Retry-After": "5" });
    }
  }

  router.post("/", async (req, res) => {
    const type = (req.headers["content-type"] ?? "text/plain").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!ACCEPTED_TYPES.has(type)) throw new HttpError(415, "SNS sends text/plain or application/json");
    const msg = parseSnsMessage((await readRawBody(req, LIMIT)).toString("utf8"));
    const headerType = req.header("x-amz-sns-message-type");
    if (headerType && headerType !== msg.Type) throw new HttpError(400, "x-amz-sns-message-type does not match the message");
    await verifySnsMessage(msg, { certificates: deps.certificates, allowedTopicArns: deps.topicArns });

    if (msg.Type === "SubscriptionConfirmation") {
      // Only a verified message from an allowed topic gets here, and only an SNS URL is fetched.
      const url = checkSubscribeUrl(msg.SubscribeURL ?? "");
      if (!deps.confirm) {
        await store(req, msg, `subscription to ${msg.TopicArn} not confirmed automatically (confirmSubscriptions: false)`);
        res.status(200).json({ status: "ignored", reason: "subscription confirmation is disabled" });
        return;
      }
      try {
        await deps.confirm(url);
      } catch (err) {
        deps.log.error({ err: String(err), topic: msg.TopicArn }, "could not confirm the sns subscription");
        throw new HttpError(503, "could not confirm the subscription; retry later");
      }
      await store(req, msg, `subscription to ${msg.TopicArn} confirmed`);
      deps.log.info({ topic: msg.TopicArn }, "sns subscription confirmed");
      res.status(200).json({ status: "confirmed", topicArn: msg.TopicArn });
      return;
    }
    if (msg.Type === "UnsubscribeConfirmation") {
      const outcome = await store(req, msg, `unsubscribed from ${msg.TopicArn}`);
      res.status(200).json({ status: outcome === "duplicate" ? "duplicate" : "ignored", reason: "unsubscribe confirmation recorded" });
      return;
    }
    const outcome = await store(req, msg);
    if (outcome === "duplicate") res.status(200).json({ status: "duplicate", messageId: msg.MessageId });
    else res.status(202).json({ status: "accepted", messageId: msg.MessageId });
  });
  return router;
}

/** Confirms a subscription by GETting its (already checked) SubscribeURL, with a timeout. */
export async function fetchSubscribeUrl(url: URL): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: "error" });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`SubscribeURL answered ${res.status}`);
}
