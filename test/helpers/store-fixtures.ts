import type { BuildRow, NewBuild, NewDelivery, Store } from "../../src/store/store.js";

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

/** Stores delivery `deliveryId` routed to `builds` (each route matched), at `now`; returns the new builds' ids in order. */
export async function routeBuilds(store: Store, deliveryId: string, builds: readonly NewBuild[], now: number): Promise<number[]> {
  const id = await insertAccepted(store, deliveryId);
  const outcome = await store.recordRouting(id, { status: "routed", decisions: builds.map((build) => ({ route: build.route, matched: true, reason: "m", build })) }, now);
  return [...outcome.createdBuildIds];
}

/** A stored build row as the store returns it, for fakes of the narrow store interfaces: a running push build of acme/api. */
export function buildRow(overrides: Partial<BuildRow> = {}): BuildRow {
  const id = overrides.id ?? 1;
  return {
    id,
    dedupe_key: `github|acme/api|api|push|refs/heads/main|${"a".repeat(40)}#${id}`,
    delivery_row_id: 1,
    route: "api",
    provider: "github",
    repository: "acme/api",
    event_kind: "push",
    ref: "refs/heads/main",
    sha: "a".repeat(40),
    pull_request: null,
    project: "api-ci",
    context: "buildgate/api",
    source_version: "a".repeat(40),
    env: "{}",
    state: "running",
    external_id: `api-ci:${id}`,
    logs_url: null,
    error: null,
    created_at: 1_000,
    updated_at: 1_000,
    started_at: 1_000,
    external_status: "IN_PROGRESS",
    current_phase: "BUILD",
    phases: "[]",
    ended_at: null,
    resolved_sha: null,
    polled_at: null,
    superseded_by: null,
    supersede_key: null,
    event_at: null,
    head_ref: null,
    trigger: null,
    first_start_at: null,
    ...overrides,
  };
}
