import type { Inbox } from "../intake/create-inbox.js";
import type { CountDelivery } from "./metrics.js";

/**
 * The inbox, counting what became of each delivery it stored: accepted, duplicate, or ignored
 * (stored with a reason, no job). A delivery that could not be stored rejects; the intake turns
 * that into a 503, which the error middleware counts (`failed_503`).
 */
export function countDeliveries(inbox: Inbox, count: CountDelivery): Inbox {
  return {
    async accept(delivery) {
      const outcome = await inbox.accept(delivery);
      count(delivery.source, outcome === "duplicate" ? "duplicate" : delivery.ignoredReason === undefined ? "accepted" : "ignored");
      return outcome;
    },
  };
}
