import { timingSafeEqual } from "node:crypto";
import express, { type RequestHandler, type Router } from "express";
import type { Store } from "../store/store.js";
import { explainDelivery } from "../pipeline/explain-delivery.js";
import { HttpError } from "./http-error.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** With `server.apiToken` set the API wants `Authorization: Bearer <token>`; without it, loopback clients only. */
export function requireApiAccess(apiToken: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (apiToken) {
      const header = req.header("authorization") ?? "";
      const given = header.startsWith("Bearer ") ? header.slice(7) : "";
      if (!sameSecret(given, apiToken)) throw new HttpError(401, "missing or wrong API token", true, { "WWW-Authenticate": "Bearer" });
    } else if (!LOOPBACK.has(req.socket.remoteAddress ?? "")) {
      throw new HttpError(403, "the API is open to loopback clients only unless server.apiToken is set");
    }
    next();
  };
}

/** `GET /api/deliveries/:deliveryId/explain`: the recorded route decisions of a delivery. */
export function createApiRouter(store: Store, apiToken: string | undefined): Router {
  const router = express.Router();
  router.use(requireApiAccess(apiToken));
  router.get("/deliveries/:deliveryId/explain", async (req, res) => {
    const explained = await explainDelivery(store, String(req.params.deliveryId));
    if (explained.length === 0) throw new HttpError(404, "no delivery with that id");
    res.json({ deliveries: explained });
  });
  return router;
}
