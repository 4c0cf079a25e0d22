import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import type { CountDelivery } from "../metrics/metrics.js";
import { HttpError } from "../domain/http-error.js";

// The intakes: a refused delivery is counted under its source (other paths would make labels unbounded).
const WEBHOOK_SOURCE = /^\/webhooks\/(github|sns|eventbridge)\/?(?:\?|$)/;

interface BodyParserError {
  status?: number;
  type?: string;
  expose?: boolean;
}

/** Maps body-parser's errors (413, 415, 400) to HttpErrors; anything unknown is a 500. */
function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const e = err as BodyParserError;
  if (e && typeof e.status === "number" && e.status >= 400 && e.status < 500) {
    if (e.type === "entity.too.large") return new HttpError(413, "request body too large", true, { Connection: "close" });
    if (e.type === "encoding.unsupported" || e.type === "charset.unsupported") return new HttpError(415, "unsupported content encoding or charset");
    return new HttpError(e.status, "bad request");
  }
  return new HttpError(500, "internal error", false);
}

/**
 * The one error middleware: status from the error, JSON body, never a stack or a header echoed.
 * A webhook refused here is counted as `rejected_<status>` (4xx) or `failed_<status>` (5xx).
 */
export function createErrorMiddleware(log: Logger, countDelivery?: CountDelivery): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const httpError = toHttpError(err);
    if (httpError.status >= 500) log.error({ err, method: req.method, path: req.path }, "request failed");
    const source = countDelivery && WEBHOOK_SOURCE.exec(req.originalUrl)?.[1];
    if (source) countDelivery(source, httpError.status >= 500 ? `failed_${httpError.status}` : `rejected_${httpError.status}`);
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(httpError.headers)) res.setHeader(k, v);
    const message = httpError.expose ? httpError.message : "internal error";
    const page = !req.path.startsWith("/api/") && !req.path.startsWith("/webhooks/") && req.accepts(["json", "html"]) === "html" && req.app.get("view engine");
    if (page) return void res.status(httpError.status).render("error", { title: `Error ${httpError.status}`, status: httpError.status, message, user: req.user, csrfToken: "" });
    res.status(httpError.status).json({ error: message });
  };
}
