import { timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { HttpError } from "../domain/http-error.js";
import { isLoopbackAddress } from "./loopback.js";

/**
 * The API when no board is configured (and /metrics, with `server.metricsToken`):
 * `Authorization: Bearer <token>` when one is set; without it, loopback clients only.
 */
export function requireApiAccess(apiToken: string | undefined, what = { name: "the API", setting: "server.apiToken" }): RequestHandler {
  return (req, _res, next) => {
    if (apiToken) {
      const header = req.header("authorization") ?? "";
      const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
      const expected = Buffer.from(apiToken);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new HttpError(401, `missing or wrong bearer token (${what.setting})`, true, { "WWW-Authenticate": "Bearer" });
    } else if (!isLoopbackAddress(req.socket.remoteAddress) || !isLoopbackAddress(req.ip)) {
      // Both the connection and, behind a trusted proxy on this host (server.trustProxy), the
      // client it names: a local proxy connects from loopback on behalf of anyone.
      throw new HttpError(403, `${what.name} is open to loopback clients only unless ${what.setting} is set`);
    }
    next();
  };
}
