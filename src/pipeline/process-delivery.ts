import type { RouteResult } from "../domain/build-plan.js";
import type { RouteRule } from "../domain/route-rule.js";
import type { NormalizeResult, SourceEvent } from "../domain/source-event.js";
import { sourceVersionFor } from "../domain/source-version.js";
import type { GithubApi } from "../providers/github/github-api.js";
import type { NewBuild, RoutingRecord, Store } from "../store/store.js";
import { asJobError } from "./github-job-error.js";
import { PermanentJobError } from "./job-errors.js";
import type { JobHandler } from "./job-runner.js";
import { resolveCommand } from "./resolve-command.js";

/** Turns one stored delivery's body into a SourceEvent, a command, or a reason to ignore it. */
export type Normalizer = (event: string, payload: unknown, deliveryId: string) => NormalizeResult;

export interface ProcessDeliveryDeps {
  readonly store: Pick<Store, "getDelivery" | "recordRouting" | "listBuildsForCommit">;
  readonly normalizers: Readonly<Record<string, Normalizer>>;
  readonly routes: readonly RouteRule[];
  readonly route: (event: SourceEvent) => RouteResult;
  readonly github: Pick<GithubApi, "getPullRequest" | "getPermission" | "listPullRequestFiles">;
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
    supersedeKey: plan.supersedeKey,
    eventAt: e.occurredAt ?? null,
    headRef: e.pullRequest?.headRef ?? null,
    trigger: { deliveryId: e.deliveryId, event: e.kind, action: e.action, actor: e.actor, ...(e.command ? { command: e.command.name, commentId: e.command.commentId } : {}) },
    ...(plan.skipped ? { skipped: true } : {}),
  };
}

/** Routing as one record: every decision, with the build each matching route plans. */
export function toRoutingRecord(normalized: NormalizeResult, route: ProcessDeliveryDeps["route"]): RoutingRecord {
  if (normalized.kind === "ignored") return { status: "ignored", reason: normalized.reason };
  if (normalized.kind === "command") return { status: "ignored", reason: "command was not resolved" };
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

/** Whether some route of this repository filters pull requests by path: then the file list is worth an API call. */
export function needsChangedFiles(routes: readonly RouteRule[], e: SourceEvent): boolean {
  if (!e.pullRequest || e.changedFiles || e.command) return false;
  return routes.some((r) => r.source.provider === e.provider && r.source.repository.toLowerCase() === e.repository.toLowerCase() && (r.paths || r.ignorePaths) && (r.on.includes("pull_request") || r.on.includes("comment")));
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
  async function normalize(source: string, event: string, body: string, deliveryId: string): Promise<NormalizeResult> {
    const normalizer = deps.normalizers[source];
    if (!normalizer) return { kind: "ignored", reason: `no normalizer for source ${source}` };
    const payload = parseBody(body);
    if (payload === undefined) return { kind: "ignored", reason: "stored body is not JSON" };
    let result = normalizer(event, payload, deliveryId);
    if (result.kind === "command") result = await resolveCommand({ github: deps.github, store: deps.store }, result.request);
    if (result.kind === "event" && needsChangedFiles(deps.routes, result.event)) {
      const files = await deps.github.listPullRequestFiles(result.event.repository, result.event.pullRequest?.number ?? 0);
      if (files) result = { kind: "event", event: { ...result.event, changedFiles: files } };
    }
    return result;
  }
  return {
    async run(payload, { log, job }) {
      const { deliveryRowId } = payload as { deliveryRowId: number };
      const delivery = await deps.store.getDelivery(deliveryRowId);
      if (!delivery) throw new PermanentJobError(`delivery row ${deliveryRowId} does not exist`);
      if (delivery.status !== "received") return;
      let normalized: NormalizeResult;
      try {
        normalized = await normalize(delivery.source, delivery.event, delivery.body, delivery.delivery_id);
      } catch (err) {
        throw asJobError(err, job.attempts, now());
      }
      const record = toRoutingRecord(normalized, deps.route);
      const outcome = await deps.store.recordRouting(deliveryRowId, record, now());
      log.info({ deliveryId: delivery.delivery_id, status: record.status, builds: outcome.createdBuildIds, alreadyBuilt: outcome.duplicateBuildIds }, record.status === "ignored" ? `delivery ignored: ${record.reason}` : "delivery routed");
      if (outcome.createdBuildIds.length > 0) deps.onBuildsCreated();
    },
    async onGiveUp(payload, error) {
      const { deliveryRowId } = payload as { deliveryRowId: number };
      await deps.store.recordRouting(deliveryRowId, { status: "ignored", reason: `could not be processed: ${error}` }, now());
    },
  };
}
