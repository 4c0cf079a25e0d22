import type { NewBuild, NewDelivery, Store } from "../../src/store/store.js";

/** A verified GitHub push delivery as intake would store it. */
export function newDelivery(deliveryId: string, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    source: "github",
    deliveryId,
    event: "push",
    headers: { "x-github-event": "push", "x-github-delivery": deliveryId },
    body: JSON.stringify({ ref: "refs/heads/main", after: "a".repeat(40) }),
    bodySha256: "0".repeat(64),
    receivedAt: 1_000,
    ...overrides,
  };
}

/** A planned build for `route`, deduped on `dedupeKey`. */
export function newBuild(route: string, dedupeKey: string, overrides: Partial<NewBuild> = {}): NewBuild {
  return {
    dedupeKey,
    route,
    provider: "github",
    repository: "acme/api",
    eventKind: "push",
    ref: "refs/heads/main",
    sha: "a".repeat(40),
    pullRequest: null,
    project: `${route}-ci`,
    context: `buildgate/${route}`,
    sourceVersion: `refs/heads/main^{${"a".repeat(40)}}`,
    env: { STAGE: "ci" },
    supersedeKey: null,
    eventAt: null,
    headRef: null,
    trigger: { deliveryId: "d-1", event: "push" },
    ...overrides,
  };
}

/** Inserts one delivery that must be accepted, and returns its row id. */
export async function insertAccepted(store: Store, deliveryId: string, overrides: Partial<NewDelivery> = {}): Promise<number> {
  const [outcome] = await store.insertDeliveries([newDelivery(deliveryId, overrides)]);
  if (outcome !== "accepted") throw new Error(`delivery ${deliveryId} was ${String(outcome)}`);
  const [row] = await store.findDeliveries(deliveryId);
  if (!row) throw new Error(`delivery ${deliveryId} not found after insert`);
  return row.id;
}
