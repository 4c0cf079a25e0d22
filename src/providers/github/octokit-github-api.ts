import { readFileSync } from "node:fs";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import type { Config } from "../../config/config.js";
import type { HookDelivery } from "../../domain/redelivery.js";
import { PermanentJobError } from "../../pipeline/job-errors.js";
import { GithubApiError, splitRepository, type CheckRunUpdate, type GithubApi, type GithubChecksApi, type HookRef, type PullRequestDetails } from "./github-api.js";

// GitHub lists at most 3000 files of a pull request.
const MAX_PR_FILES = 3000;
const REQUEST_TIMEOUT_MS = 15_000;

type GithubConfig = NonNullable<Config["github"]>;

/**
 * Octokits for `github.apiUrl`, one per GitHub App installation (each renews its installation
 * token through auth-app, which caches it until a minute before GitHub's one hour runs out), or
 * the one token client. `installationId` is the delivery's; without one the configured
 * `github.auth.installationId` is used.
 */
export function createOctokits(github: GithubConfig): (installationId?: number) => Octokit {
  const timedFetch: typeof fetch = (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const common = { baseUrl: github.apiUrl, userAgent: "buildgate", request: { fetch: timedFetch }, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } };
  const auth = github.auth;
  if (!auth || !("appId" in auth)) {
    const octokit = new Octokit({ ...common, ...(auth ? { auth: auth.token } : {}) });
    return () => octokit;
  }
  const privateKey = readFileSync(auth.privateKeyPath, "utf8");
  const fallback = auth.installationId === undefined ? undefined : Number(auth.installationId);
  const byInstallation = new Map<number, Octokit>();
  return (installationId) => {
    const id = installationId ?? fallback;
    if (id === undefined) throw new PermanentJobError("no GitHub App installation: the delivery names none and github.auth.installationId is not set");
    let octokit = byInstallation.get(id);
    if (!octokit) {
      octokit = new Octokit({ ...common, authStrategy: createAppAuth, auth: { appId: Number(auth.appId), privateKey, installationId: id } });
      byInstallation.set(id, octokit);
    }
    return octokit;
  };
}

/** The Octokit of the configured installation, or the token's. */
export function createOctokit(github: GithubConfig): Octokit {
  return createOctokits(github)();
}

function toApiError(err: unknown): GithubApiError {
  const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined> } };
  const status = typeof e.status === "number" && e.status > 0 ? e.status : undefined;
  return new GithubApiError(e.message ?? String(err), status, e.response?.headers ?? {});
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApiError(err);
  }
}

/** A hook delivery as GitHub's API returns it (only what buildgate reads). */
interface RawDelivery {
  readonly id: number;
  readonly guid: string;
  readonly delivered_at: string;
  readonly redelivery: boolean;
  readonly status: string;
  readonly status_code: number;
  readonly event: string;
  readonly action: string | null;
}

const toHookDelivery = (d: RawDelivery): HookDelivery => ({
  id: d.id,
  guid: d.guid,
  deliveredAt: Date.parse(d.delivered_at),
  redelivery: d.redelivery,
  status: d.status,
  statusCode: d.status_code,
  event: d.event,
  action: d.action ?? null,
});

/** The pages of a hook's deliveries; Octokit follows the `Link: …cursor=…; rel="next"` headers. */
function deliveryPages(octokit: Octokit, hook: HookRef): AsyncIterable<{ data: RawDelivery[] }> {
  if ("org" in hook.owner) return octokit.paginate.iterator(octokit.rest.orgs.listWebhookDeliveries, { org: hook.owner.org, hook_id: hook.hookId, per_page: 100 });
  return octokit.paginate.iterator(octokit.rest.repos.listWebhookDeliveries, { ...splitRepository(hook.owner.repository), hook_id: hook.hookId, per_page: 100 });
}

async function listHookDeliveries(octokit: Octokit, hook: HookRef, since: number, maxPages: number): Promise<HookDelivery[]> {
  const out: HookDelivery[] = [];
  let pages = 0;
  try {
    for await (const page of deliveryPages(octokit, hook)) {
      const items = page.data.map(toHookDelivery);
      out.push(...items);
      if (++pages >= maxPages || items.length === 0 || items.some((d) => d.deliveredAt < since)) break;
    }
  } catch (err) {
    throw toApiError(err);
  }
  return out;
}

export function createOctokitGithubApi(octokit: Octokit): GithubApi {
  return {
    async createStatus(repository, sha, status) {
      await call(() =>
        octokit.rest.repos.createCommitStatus({ ...splitRepository(repository), sha, state: status.state, description: status.description, context: status.context, ...(status.targetUrl ? { target_url: status.targetUrl } : {}) }),
      );
    },
    async listPullRequestFiles(repository, number) {
      const files = await call(() => octokit.paginate(octokit.rest.pulls.listFiles, { ...splitRepository(repository), pull_number: number, per_page: 100 }));
      if (files.length >= MAX_PR_FILES) return undefined;
      return files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
    },
    async getPullRequest(repository, number): Promise<PullRequestDetails> {
      const { data } = await call(() => octokit.rest.pulls.get({ ...splitRepository(repository), pull_number: number }));
      return {
        number: data.number,
        state: data.state,
        draft: data.draft ?? false,
        headRef: data.head.ref,
        headSha: data.head.sha,
        headRepository: data.head.repo?.full_name ?? null,
        baseRef: data.base.ref,
        baseSha: data.base.sha,
        baseRepository: data.base.repo.full_name,
        labels: data.labels.map((l) => l.name ?? "").filter(Boolean),
        authorAssociation: data.author_association,
        ...(data.updated_at ? { updatedAt: Date.parse(data.updated_at) } : {}),
      };
    },
    async getPermission(repository, user) {
      try {
        const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...splitRepository(repository), username: user });
        return data.permission;
      } catch (err) {
        // Not a collaborator: GitHub answers 404.
        if ((err as { status?: number }).status === 404) return "none";
        throw toApiError(err);
      }
    },
    async listHooks(owner) {
      const hooks =
        "org" in owner
          ? await call(() => octokit.paginate(octokit.rest.orgs.listWebhooks, { org: owner.org, per_page: 100 }))
          : await call(() => octokit.paginate(octokit.rest.repos.listWebhooks, { ...splitRepository(owner.repository), per_page: 100 }));
      return hooks.map((h) => ({ id: h.id, url: h.config.url ?? "", active: h.active }));
    },
    listHookDeliveries: (hook, since, maxPages) => listHookDeliveries(octokit, hook, since, maxPages),
    async redeliverHookDelivery(hook, deliveryId) {
      const { owner, hookId } = hook;
      if ("org" in owner) await call(() => octokit.rest.orgs.redeliverWebhookDelivery({ org: owner.org, hook_id: hookId, delivery_id: deliveryId }));
      else await call(() => octokit.rest.repos.redeliverWebhookDelivery({ ...splitRepository(owner.repository), hook_id: hookId, delivery_id: deliveryId }));
    },
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? {} : { value: new Date(ms).toISOString() });

/** The fields of a create or update, in GitHub's names. */
function checkRunFields(u: CheckRunUpdate) {
  const started = iso(u.startedAt);
  const completed = iso(u.completedAt);
  return {
    status: u.status,
    details_url: u.detailsUrl,
    ...(u.conclusion ? { conclusion: u.conclusion } : {}),
    ...("value" in started ? { started_at: started.value } : {}),
    ...("value" in completed ? { completed_at: completed.value } : {}),
    output: { title: u.output.title, summary: u.output.summary, ...(u.output.annotations && u.output.annotations.length > 0 ? { annotations: u.output.annotations.map((a) => ({ ...a })) } : {}) },
  };
}

export function createOctokitChecksApi(octokit: Octokit): GithubChecksApi {
  return {
    async createCheckRun(repository, run) {
      const { data } = await call(() => octokit.rest.checks.create({ ...splitRepository(repository), name: run.name, head_sha: run.headSha, external_id: run.externalId, ...checkRunFields(run) }));
      return data.id;
    },
    async updateCheckRun(repository, id, update) {
      await call(() => octokit.rest.checks.update({ ...splitRepository(repository), check_run_id: id, ...checkRunFields(update) }));
    },
    async getCheckRun(repository, id) {
      const { data: r } = await call(() => octokit.rest.checks.get({ ...splitRepository(repository), check_run_id: id }));
      return { id: r.id, externalId: r.external_id ?? null, status: r.status, conclusion: r.conclusion ?? null, appId: r.app?.id ?? null, annotationsCount: r.output?.annotations_count ?? 0, title: r.output?.title ?? null };
    },
    async listCheckRuns(repository, sha, name) {
      const runs = await call(() => octokit.paginate(octokit.rest.checks.listForRef, { ...splitRepository(repository), ref: sha, check_name: name, filter: "all", per_page: 100 }));
      return runs.map((r) => ({ id: r.id, externalId: r.external_id ?? null, status: r.status, conclusion: r.conclusion ?? null, appId: r.app?.id ?? null, annotationsCount: r.output?.annotations_count ?? 0 }));
    },
  };
}

type RateLimitHeaders = Readonly<Record<string, string | number | undefined>> | undefined;

/**
 * Reports `x-ratelimit-remaining` (per `x-ratelimit-resource`: core, search, graphql…) from
 * every GitHub answer, errors included (a 403 at the limit says 0), to `onRemaining` (metrics).
 */
export function observeRateLimit(octokit: Octokit, onRemaining: (resource: string, remaining: number) => void): void {
  const report = (headers: RateLimitHeaders) => {
    const remaining = Number(headers?.["x-ratelimit-remaining"] ?? NaN);
    if (Number.isFinite(remaining)) onRemaining(String(headers?.["x-ratelimit-resource"] ?? "core"), remaining);
  };
  octokit.hook.after("request", (response) => report(response.headers as RateLimitHeaders));
  octokit.hook.error("request", (error) => {
    report((error as { response?: { headers?: RateLimitHeaders } }).response?.headers);
    throw error;
  });
}
