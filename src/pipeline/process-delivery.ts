import type { RouteResult } from "../domain/build-plan.js";
import type { NormalizeResult, SourceEvent } from "../domain/source-event.js";
import { sourceVersionFor } from "../domain/source-version.js";
import { JOB } from "./job-kinds.js";
import type { NewBuild, NewJob, RoutingRecord, Store } from "../store/store.js";
import { PermanentJobError } from "./job-errors.js";
import type { JobHandler } from "./job-runner.js";
import type { SourceHost, SourceHosts } from "./source-host.js";

export interface ProcessDeliveryDeps {
  readonly store: Pick<Store, "getDelivery" | "recordRouting">;
  /** The host of each delivery source: it normalizes and enriches the delivery and maps its API errors. */
  readonly hosts: Pick<SourceHosts, "forSource">;
  readonly route: (event: SourceEvent) => RouteResult;
  /** Called after builds were created, so their start jobs run at once. */
  readonly onBuildsCreated: () => void;
  readonly now?: () => number;
}

/**
 * The pull request's title and author, kept in the build's trigger: the board's lists show them
 * from the build row alone, without reading (and parsing) the stored delivery of every row.
 */
function pullRequestCard(e: SourceEvent): { title?: string; author?: string } {
  const pr = e.pullRequest;
  return { ...(pr?.title ? { title: pr.title.slice(0, 256) } : {}), ...(pr?.author ? { author: pr.author.slice(0, 256) } : {}) };
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
    supersedeKey: plan.supersedeKey,
    eventAt: e.occurredAt ?? null,
    headRef: e.pullRequest?.headRef ?? null,
    trigger: { deliveryId: e.deliveryId, event: e.kind, action: e.action, actor: e.actor, ...pullRequestCard(e), ...(e.command ? { command: e.command.name, commentId: e.command.commentId } : {}), ...(e.installationId !== undefined ? { installationId: e.installationId } : {}) },
    ...(plan.skipped ? { skipped: true } : {}),
  };
}

/** Routing as one record: every decision (per event, when a delivery carries several), with the build each matching route plans. */
export function toRoutingRecord(normalized: NormalizeResult, route: ProcessDeliveryDeps["route"], awaiting?: SourceHost["awaitingApproval"]): RoutingRecord {
  switch (normalized.kind) {
    case "ignored":
      return { status: "ignored", reason: normalized.reason };
    case "command":
      return { status: "ignored", reason: "command was not resolved" };
    case "hint":
      return { status: "ignored", reason: normalized.reason, jobs: [{ kind: JOB.pollBuilds, payload: { externalIds: normalized.buildIds } }] };
  }
  const events = normalized.kind === "event" ? [normalized.event] : normalized.events;
  if (events.length === 0) return { status: "ignored", reason: "the delivery carries no event to build" };
  const jobs: NewJob[] = [];
  const decisions = events.flatMap((event) => {
    const result = route(event);
    const plans = new Map(result.plans.map((p) => [p.route, p]));
    const prefix = events.length > 1 ? `${event.ref}: ` : "";
    for (const waiting of result.awaiting ?? []) {
      const job = awaiting?.(event, waiting, result.decisions.find((d) => d.route === waiting.route)?.reason ?? "waiting for approval");
      if (job) jobs.push(job);
    }
    return result.decisions.map((d) => {
      const plan = plans.get(d.route);
      return { ...d, reason: prefix + d.reason, ...(plan ? { build: toNewBuild(plan) } : {}) };
    });
  });
  if (decisions.length === 0) return { status: "ignored", reason: "no routes are configured" };
  return { status: "routed", decisions, ...(jobs.length > 0 ? { jobs } : {}) };
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * The `process_delivery` job: delivery → normalize (pure) → resolve commands and changed files
 * (provider API) → route (pure) → one transaction with every decision and build.
 */
export function createProcessDelivery(deps: ProcessDeliveryDeps): JobHandler {
  const now = deps.now ?? Date.now;
  async function normalize(host: SourceHost, event: string, body: string, deliveryId: string): Promise<NormalizeResult> {
    const payload = parseBody(body);
    if (payload === undefined) return { kind: "ignored", reason: "stored body is not JSON" };
    return host.enrich(host.normalize(event, payload, deliveryId));
  }
  return {
    async run(payload, { log, job }) {
      const { deliveryRowId } = payload as { deliveryRowId: number };
      const delivery = await deps.store.getDelivery(deliveryRowId);
      if (!delivery) throw new PermanentJobError(`delivery row ${deliveryRowId} does not exist`);
      // Every later line about this job (the runner's retries included) names the delivery.
      log.setBindings({ deliveryId: delivery.delivery_id, source: delivery.source });
      if (delivery.status !== "received") return;
      const host = deps.hosts.forSource(delivery.source);
      const normalized: NormalizeResult = host
        ? await normalize(host, delivery.event, delivery.body, delivery.delivery_id).catch((err: unknown) => {
            throw host.jobError(err, job.attempts, now());
          })
        : { kind: "ignored", reason: `no source host handles ${delivery.source} deliveries` };
      const record = toRoutingRecord(normalized, deps.route, host?.awaitingApproval?.bind(host));
      const outcome = await deps.store.recordRouting(deliveryRowId, record, now());
      log.info({ status: record.status, builds: outcome.createdBuildIds, alreadyBuilt: outcome.duplicateBuildIds }, record.status === "ignored" ? `delivery ignored: ${record.reason}` : "delivery routed");
      if (outcome.createdBuildIds.length > 0) deps.onBuildsCreated();
    },
    async onGiveUp(payload, error) {
      const { deliveryRowId } = payload as { deliveryRowId: number };
      await deps.store.recordRouting(deliveryRowId, { status: "ignored", reason: `could not be processed: ${error}` }, now());
    },
  };
}
