import type { RequestHandler } from "express";
import { HttpError } from "../domain/http-error.js";

/** Whether the process is shutting down: /readyz fails and webhooks are refused while requests in flight finish. */
export interface DrainState {
  readonly draining: boolean;
  /** From now on the process drains; it never stops draining. */
  drain(): void;
}

export function createDrainState(): DrainState {
  let draining = false;
  return {
    get draining() {
      return draining;
    },
    drain() {
      draining = true;
    },
  };
}

/**
 * Refuses webhooks while draining: 503 with Retry-After so the sender tries again (SNS and
 * EventBridge retry 5xx; GitHub does not, and the redelivery sweep asks it to), and
 * `Connection: close` so a keep-alive client reconnects to another replica.
 */
export function refuseWhileDraining(state: Pick<DrainState, "draining">): RequestHandler {
  return (_req, _res, next) => {
    if (state.draining) throw new HttpError(503, "shutting down; retry later", true, { "Retry-After": "10", Connection: "close" });
    next();
  };
}
