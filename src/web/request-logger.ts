import type { RequestHandler } from "express";
import type { Logger } from "pino";

/** One line per request: method, path (no query), status, time and the delivery id. No headers, no bodies. */
export function requestLogger(log: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    // Read now: while a mounted router handles the request, req.path is relative to its mount
    // ("/" for every webhook), and a response can finish before the router restores it.
    const path = req.path;
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const line = { method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10, deliveryId: req.header("x-github-delivery") };
      if (res.statusCode >= 500) log.error(line, "request");
      else if (res.statusCode >= 400) log.warn(line, "request");
      else log.debug(line, "request");
    });
    next();
  };
}
