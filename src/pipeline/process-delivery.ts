import type { RouteResult } from "../domain/build-plan.js";
import type { NormalizeResult, SourceEvent } from "../domain/source-event.js";
import { sourceVersionFor } from "../domain/source-version.js";
import type { NewBuild, RoutingRecord, Store } from "../store/store.js";
import { PermanentJobError } from "./job-errors.js";
import type { JobHandler } from "./job-runner.js";

/** Turns one stored delivery's body into a SourceEvent (or a reason to ignore it). */
export type Normalizer = (event: string, payload: unknown, deliveryId: string) => NormalizeResult;

export interface ProcessDeliveryDeps {
  readonly store: Pick<Store, "getDelivery" | "recordRouting">;
  readonly normalizers: Readonly<Record<string, Normalizer>>;
  readonly route: (event: SourceEvent) => RouteResult;
  /** Called after builds were created, so their start jobs run at once. */
  readonly onBuildsCreated: () => void;
  readonly now?: () => number;
}

function toNewBuild(plan: RouteResult["plans"][number]): NewBuild {
  const e = plan.event;
  return {
    dedupeKey: plan.dedupeKey,
    route: plan.route,
    provider: e.provider,
    repository: e.repository,
    eventKind: e.kind,
    ref: e.ref,
    sha: e.sha,
    pullRequest: e.pullRequest?.number ?? null,
    project: plan.project,
    context: plan.context,
    sourceVersion: sourceVersionFor(e),
    env: plan.env,
  };
}

/** Normalizes and routes a delivery: pure steps, then one transaction with every decision and build. */
export function toRoutingRecord(normalized: NormalizeResult, route: ProcessDeliveryDeps["route"]): RoutingRecord {
  if (normalized.kind === "ignored") return { status: "ignored", reason: normalized.reason };
  const result = route(normalized.event);
  if (result.decisions.length === 0) return { status: "ignored", reason: "no routes are configured" };
  const plans = new Map(result.plans.map((p) => [p.route, p]));
  return {
    status: "routed",
    decisions: result.decisions.map((d) => {
      const plan = plans.get(d.route);
      return { ...d, ...(plan ? { build: toNewBuild(plan) } : {}) };
    }),
  };
}

/** The `process_delivery` job: delivery → normalize → route → builds (each with a start job). */
export function createProcessDelivery(deps: ProcessDeliveryDeps): JobHandler {
  const now = deps.now ?? Date.now;
  return {
    async run(payload, { log }) {
      const { deliveryRowId } = payload as { deliveryRowId: number };
      const delivery = await deps.store.getDelivery(deliveryRowId);
      if (!delivery) throw new PermanentJobError(`delivery row ${deliveryRowId} does not exist`);
      if (delivery.status !== "received") return;
      const normalize = deps.normalizers[delivery.source];
      let record: RoutingRecord;
      if (!normalize) {
        record = { status: "ignored", reason: `no normalizer for source ${delivery.source}` };
      } else {
        let body: unknown;
        try {
          body = JSON.parse(delivery.body);
        } catch {
          body = undefined;
        }
        record = body === undefined ? { status: "ignored", reason: "stored body is not JSON" } : toRoutingRecord(normalize(delivery.event, body, delivery.delivery_id), deps.route);
      }
      const outcome = await deps.store.recordRouting(deliveryRowId, record, now());
      log.info({ deliveryId: delivery.delivery_id, status: record.status, builds: outcome.createdBuildIds, alreadyBuilt: outcome.duplicateBuildIds }, record.status === "ignored" ? `delivery ignored: ${record.reason}` : "delivery routed");
      if (outcome.createdBuildIds.length > 0) deps.onBuildsCreated();
    },
  };
}
