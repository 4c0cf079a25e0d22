import express, { type Router } from "express";
import type { Registry } from "prom-client";
import { requireApiAccess } from "./api-access.js";

/**
 * `GET /metrics` in Prometheus' text format. With `server.metricsToken` set it takes
 * `Authorization: Bearer <token>` from anywhere; without it, loopback clients only.
 */
export function createMetricsRoute(registry: Registry, metricsToken: string | undefined): Router {
  const router = express.Router();
  router.get("/", requireApiAccess(metricsToken, { name: "/metrics", setting: "server.metricsToken" }), async (_req, res) => {
    const body = await registry.metrics();
    res.setHeader("Content-Type", registry.contentType);
    res.setHeader("Cache-Control", "no-store");
    res.send(body);
  });
  return router;
}
