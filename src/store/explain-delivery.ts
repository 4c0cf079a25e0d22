import { deliveryOutcome } from "./delivery-outcome.js";
import type { Store } from "./store.js";

export interface ExplainedDelivery {
  readonly source: string;
  readonly deliveryId: string;
  readonly event: string;
  readonly receivedAt: string;
  readonly status: string;
  /** What people read: `status`, except "no route matched" for a routed delivery that matched none. */
  readonly outcome: string;
  readonly reason: string | null;
  readonly decisions: ReadonlyArray<{ route: string; matched: boolean; reason: string; buildId: number | null }>;
  readonly builds: ReadonlyArray<{ id: number; route: string; project: string; state: string; externalId: string | null; error: string | null }>;
}

/** Everything recorded about a delivery id: its status, each route's decision and the builds it made. */
export async function explainDelivery(store: Pick<Store, "findDeliveries" | "listDecisions" | "listBuilds">, deliveryId: string): Promise<ExplainedDelivery[]> {
  const deliveries = await store.findDeliveries(deliveryId);
  return Promise.all(
    deliveries.map(async (d) => {
      const decisions = (await store.listDecisions(d.id)).map((x) => ({ route: x.route, matched: x.matched === 1, reason: x.reason, buildId: x.build_id }));
      return {
        source: d.source,
        deliveryId: d.delivery_id,
        event: d.event,
        receivedAt: new Date(Number(d.received_at)).toISOString(),
        status: d.status,
        outcome: deliveryOutcome(d, decisions).label,
        reason: d.reason,
        decisions,
        builds: (await store.listBuilds({ deliveryRowId: d.id })).map((b) => ({ id: b.id, route: b.route, project: b.project, state: b.state, externalId: b.external_id, error: b.error })),
      };
    }),
  );
}

/** The human form of `buildgate explain`. */
export function formatExplained(list: readonly ExplainedDelivery[]): string {
  return list
    .map((d) => {
      const lines = [`${d.source} delivery ${d.deliveryId} (${d.event}) received ${d.receivedAt}: ${d.outcome}${d.reason ? ` — ${d.reason}` : ""}`];
      for (const x of d.decisions) lines.push(`  ${x.matched ? "✔" : "✘"} ${x.route}: ${x.reason}`);
      for (const b of d.builds) lines.push(`  build #${b.id} ${b.route} → ${b.project}: ${b.state}${b.externalId ? ` (${b.externalId})` : ""}${b.error ? ` — ${b.error}` : ""}`);
      return lines.join("\n");
    })
    .join("\n\n");
}
