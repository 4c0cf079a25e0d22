/**
 * What became of a delivery, as people read it. The stored status stays what the pipeline writes
 * (received → routed | ignored | failed); a delivery that was routed but matched no route is shown
 * as "no route matched", not as a green "routed" (issue 13).
 */
export type DeliveryOutcome = "received" | "routed" | "unmatched" | "ignored" | "failed";

const LABELS: Readonly<Record<DeliveryOutcome, string>> = { received: "received", routed: "routed", unmatched: "no route matched", ignored: "ignored", failed: "failed" };

/** The reason `recordRouting` stores on a routed delivery ("2 of 3 routes matched; …"). */
export function routingSummary(matched: number, routes: number, created: number, alreadyBuilt: number): string {
  return `${matched} of ${routes} routes matched; ${created} build(s) created${alreadyBuilt ? `, ${alreadyBuilt} already built` : ""}`;
}

const NONE_MATCHED = /^0 of \d+ routes matched;/;

/**
 * The outcome of a stored delivery: from its decisions when they are at hand (the delivery page),
 * else from the summary `routingSummary` wrote (the list, which reads no decisions).
 */
export function deliveryOutcome(d: { readonly status: string; readonly reason: string | null }, decisions?: ReadonlyArray<{ readonly matched: boolean | number }>): { readonly outcome: DeliveryOutcome; readonly label: string } {
  const known = (["received", "routed", "ignored", "failed"] as const).find((s) => s === d.status);
  let outcome: DeliveryOutcome = known ?? "failed";
  if (outcome === "routed") {
    const none = decisions ? decisions.every((x) => !x.matched) : NONE_MATCHED.test(d.reason ?? "");
    if (none) outcome = "unmatched";
  }
  return { outcome, label: known ? LABELS[outcome] : d.status };
}
