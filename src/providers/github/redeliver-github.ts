import type { Logger } from "pino";
import type { Config } from "../../config/config.js";
import { decideGithubFailure } from "../../domain/github-failure.js";
import type { RateGate } from "../../domain/rate-gate.js";
import { pickRedeliveries, unsettledGuids } from "../../domain/redelivery.js";
import { GithubApiError, type GithubApi, type HookOwner, type HookRef } from "./github-api.js";
import { JOB } from "../../pipeline/job-kinds.js";
import type { NewJob, Store } from "../../store/store.js";
import type { JobHandler } from "../../pipeline/job-runner.js";
import type { HostJobs } from "../../pipeline/source-host.js";

// Pages of 100 deliveries read per hook and run (GitHub lists every attempt, newest first).
const MAX_PAGES = 30;
// A guid whose redeliveries failed this often is left alone: the path to buildgate is broken, not down.
const MAX_REDELIVERIES = 3;

type RedeliverySettings = NonNullable<NonNullable<Config["github"]>["redelivery"]>;

/** One job that re-enqueues itself: one replica sweeps at a time. */
export const redeliveryJob = (runAt?: number): NewJob => ({ kind: JOB.redeliverGithub, payload: {}, dedupeKey: "github-redelivery", ...(runAt !== undefined ? { runAt } : {}) });

export interface RedeliverGithubDeps {
  readonly github: Pick<GithubApi, "listHooks" | "listHookDeliveries" | "redeliverHookDelivery">;
  readonly store: Pick<Store, "knownDeliveryIds" | "jobs">;
  readonly settings: RedeliverySettings;
  /** The GitHub repositories of the routes (whose hooks are swept unless `settings.org`). */
  readonly repositories: readonly string[];
  /** `<server.publicUrl>/webhooks/github`: how the hook is found without `settings.hookId`. */
  readonly hookUrl: string;
  /** Shared with status posts: GitHub's limit on content-creating requests, paused on 403/429. */
  readonly gate: RateGate;
  readonly now?: () => number;
}

export interface RedeliverySummary {
  readonly hooks: number;
  /** Delivery attempts listed. */
  readonly listed: number;
  /** Deliveries that never succeeded and are not in the inbox. */
  readonly missing: number;
  readonly redelivered: number;
}

/** GitHub asked us to wait (rate limit, 5xx): the run stops and the next one waits that long. */
class PauseRun extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

const trimSlash = (url: string) => url.replace(/\/+$/, "");
const ownerName = (o: HookOwner) => ("org" in o ? `org ${o.org}` : o.repository);

/**
 * One redelivery pass: for each hook, the deliveries of the last `lookbackHours`; those that never
 * succeeded and are not in the inbox are redelivered (`POST …/attempts`), oldest first, at most
 * `maxPerRun`. A rate limit or 5xx stops the run (PauseRun); other 4xx skip that hook or delivery.
 */
export async function redeliverGithub(deps: RedeliverGithubDeps, log: Logger): Promise<RedeliverySummary> {
  const now = deps.now ?? Date.now;
  const since = now() - deps.settings.lookbackHours * 3600_000;
  const summary = { hooks: 0, listed: 0, missing: 0, redelivered: 0 };
  const guarded = async <T>(what: Record<string, unknown>, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof GithubApiError)) throw err;
      const decision = decideGithubFailure({ status: err.status, headers: err.headers, message: err.message, attempt: 1, now: now() });
      if (decision.retry) {
        if (err.status === 403 || err.status === 429) deps.gate.pause(now() + decision.delayMs);
        throw new PauseRun(decision.reason, decision.delayMs);
      }
      log.warn({ ...what, reason: decision.reason }, "github redelivery: call refused; skipped");
      return undefined;
    }
  };
  for (const hook of await hooksToSweep(deps, guarded, log)) {
    summary.hooks++;
    const deliveries = (await guarded({ hook: ownerName(hook.owner), hookId: hook.hookId }, () => deps.github.listHookDeliveries(hook, since, MAX_PAGES))) ?? [];
    summary.listed += deliveries.length;
    const unsettled = unsettledGuids(deliveries);
    const known = await deps.store.knownDeliveryIds("github", unsettled);
    summary.missing += unsettled.length - known.size;
    const picks = pickRedeliveries(deliveries, known, { since, maxRedeliveries: MAX_REDELIVERIES, limit: deps.settings.maxPerRun - summary.redelivered });
    for (const pick of picks) {
      const wait = deps.gate.reserve(now());
      if (wait > 0) throw new PauseRun("GitHub's request budget is used up for now", wait);
      const where = { hook: ownerName(hook.owner), hookId: hook.hookId, guid: pick.guid, event: pick.event, action: pick.action, deliveredAt: new Date(pick.deliveredAt).toISOString(), statusCode: pick.statusCode, redeliveries: pick.redeliveries };
      const done = await guarded(where, async () => (await deps.github.redeliverHookDelivery(hook, pick.id), true));
      if (!done) continue;
      summary.redelivered++;
      log.info(where, "github redelivery: asked GitHub to send a failed delivery again");
    }
    if (summary.redelivered >= deps.settings.maxPerRun) break;
  }
  return summary;
}

type Guarded = <T>(what: Record<string, unknown>, fn: () => Promise<T>) => Promise<T | undefined>;

/** The configured hook of each owner, or the hooks whose URL is buildgate's. */
async function hooksToSweep(deps: RedeliverGithubDeps, guarded: Guarded, log: Logger): Promise<HookRef[]> {
  const { org, hookId } = deps.settings;
  // GitHub names are case-insensitive: one sweep per repository, under its first spelling.
  const repositories = new Map<string, string>();
  for (const r of deps.repositories) if (!repositories.has(r.toLowerCase())) repositories.set(r.toLowerCase(), r);
  const owners: HookOwner[] = org ? [{ org }] : [...repositories.values()].map((repository) => ({ repository }));
  if (hookId !== undefined) return owners.map((owner) => ({ owner, hookId }));
  const hooks: HookRef[] = [];
  for (const owner of owners) {
    const listed = await guarded({ hook: ownerName(owner) }, () => deps.github.listHooks(owner));
    const ours = (listed ?? []).filter((h) => h.active && trimSlash(h.url) === trimSlash(deps.hookUrl));
    if (listed && ours.length === 0) log.warn({ owner: ownerName(owner), hookUrl: deps.hookUrl }, "github redelivery: no active webhook points at buildgate here; set github.redelivery.hookId");
    hooks.push(...ours.map((h) => ({ owner, hookId: h.id })));
  }
  return hooks;
}

/** `redeliver_github`: one pass, then the next one scheduled (later when GitHub asked to wait). */
export function createRedeliverGithub(deps: RedeliverGithubDeps): JobHandler {
  const now = deps.now ?? Date.now;
  const intervalMs = deps.settings.intervalMinutes * 60_000;
  return {
    async run(_payload, { log }) {
      let delayMs = intervalMs;
      try {
        const summary = await redeliverGithub(deps, log);
        log.info(summary, "github redelivery sweep");
      } catch (err) {
        if (err instanceof PauseRun) {
          delayMs = Math.max(intervalMs, err.delayMs);
          log.warn({ reason: err.message, nextInMs: delayMs }, "github redelivery sweep paused");
        } else log.error({ err }, "github redelivery sweep failed; next run as usual");
      }
      // Not in a finally: when this fails the job is retried, and no second run was scheduled.
      await deps.store.jobs.enqueue(redeliveryJob(now() + delayMs), now());
    },
  };
}

export interface GithubRedeliveryJobsDeps extends Pick<RedeliverGithubDeps, "github" | "store" | "gate" | "now"> {
  readonly config: Config;
}

/**
 * The redelivery sweep as the GitHub host's job: kept scheduled when `github.redelivery.enabled`.
 * Its handler is registered even when disabled: a run left queued by an earlier config then ends quietly.
 */
export function githubRedeliveryJobs(d: GithubRedeliveryJobsDeps): HostJobs {
  const settings = d.config.github?.redelivery;
  if (!settings?.enabled) return { handlers: { [JOB.redeliverGithub]: { run: async () => undefined } }, singletons: [] };
  const handler = createRedeliverGithub({
    github: d.github,
    store: d.store,
    settings,
    repositories: d.config.routes.flatMap((r) => (r.source.provider === "github" ? [r.source.repository] : [])),
    hookUrl: `${d.config.server.publicUrl}/webhooks/github`,
    gate: d.gate,
    ...(d.now ? { now: d.now } : {}),
  });
  return { handlers: { [JOB.redeliverGithub]: handler }, singletons: [redeliveryJob()] };
}
