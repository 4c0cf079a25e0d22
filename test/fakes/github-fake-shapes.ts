import { createHash } from "node:crypto";

// JSON shapes and pure helpers for github-fake.ts, modelled on GitHub's REST API (api.github.com, 2022-11-28).

export type FakePermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/** A pull request as a test describes it; the fake renders GitHub's JSON from it. */
export interface FakePullRequest {
  number: number;
  state?: "open" | "closed";
  /** `repoFullName` defaults to the base repository; `null` is a deleted fork (GitHub sends `head.repo: null`). */
  head: { ref: string; sha: string; repoFullName?: string | null };
  base: { ref: string; sha: string };
  /** Author login; default "octocat". */
  user?: string;
  /** Default "NONE". */
  authorAssociation?: string;
  labels?: string[];
  draft?: boolean;
  /** Changed file names; served by `GET …/pulls/{n}/files`, capped at 3000 as GitHub does. */
  files?: string[];
}

export interface RecordedStatus {
  owner: string;
  repo: string;
  sha: string;
  state: string;
  description?: string;
  context: string;
  target_url?: string;
  at: number;
  id: number;
}

export const DOCS = "https://docs.github.com/rest";
export const MAX_PR_FILES = 3000;
export const STATUS_STATES = ["error", "failure", "pending", "success"] as const;

/** An error answer: thrown by handlers, rendered by the server. */
export class GithubError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

export const errorBody = (status: number, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  message,
  ...extra,
  documentation_url: DOCS,
  status: String(status),
});
export const notFound = () => new GithubError(404, errorBody(404, "Not Found"));
export const unauthorized = (message: string) => new GithubError(401, errorBody(401, message));
/** GitHub's 422 shape: `{message: "Validation Failed", errors: [{resource, code, field?, message}]}`. */
export const validationFailed = (resource: string, message: string, field?: string) =>
  new GithubError(422, errorBody(422, "Validation Failed", { errors: [{ resource, code: "custom", ...(field ? { field } : {}), message }] }));

/** Deterministic numeric id for a name, so the same login or repo always gets the same id. */
export const idOf = (name: string): number => createHash("sha1").update(name).digest().readUInt32BE(0) % 100_000_000;
const shaOf = (text: string): string => createHash("sha1").update(text).digest("hex");

export const userJson = (login: string) => ({ login, id: idOf(login), node_id: `U_${idOf(login)}`, type: login.endsWith("[bot]") ? "Bot" : "User", site_admin: false, html_url: `https://github.com/${login}` });

export function repoJson(fullName: string, baseFullName: string) {
  const [owner = "", name = ""] = fullName.split("/");
  return {
    id: idOf(fullName.toLowerCase()),
    node_id: `R_${idOf(fullName.toLowerCase())}`,
    name,
    full_name: fullName,
    private: false,
    owner: userJson(owner),
    html_url: `https://github.com/${fullName}`,
    clone_url: `https://github.com/${fullName}.git`,
    fork: fullName.toLowerCase() !== baseFullName.toLowerCase(),
    default_branch: "main",
  };
}

export const labelJson = (name: string) => ({ id: idOf(`label:${name}`), node_id: `LA_${idOf(name)}`, name, color: "ededed", default: false, description: null });

export function pullJson(fullName: string, pr: FakePullRequest, createdAt: string) {
  const headName = pr.head.repoFullName === undefined ? fullName : pr.head.repoFullName;
  const user = pr.user ?? "octocat";
  const side = (ref: string, sha: string, repo: string | null) => {
    const owner = repo?.split("/")[0] ?? "unknown";
    return { label: `${owner}:${ref}`, ref, sha, user: userJson(owner), repo: repo === null ? null : repoJson(repo, fullName) };
  };
  const closed = (pr.state ?? "open") === "closed";
  return {
    url: `https://api.github.com/repos/${fullName}/pulls/${pr.number}`,
    id: idOf(`${fullName}#${pr.number}`),
    node_id: `PR_${idOf(`${fullName}#${pr.number}`)}`,
    html_url: `https://github.com/${fullName}/pull/${pr.number}`,
    number: pr.number,
    state: pr.state ?? "open",
    locked: false,
    title: `Pull request #${pr.number}`,
    user: userJson(user),
    body: null,
    labels: (pr.labels ?? []).map(labelJson),
    draft: pr.draft ?? false,
    merged: false,
    merged_at: null,
    mergeable: null,
    merge_commit_sha: null,
    created_at: createdAt,
    updated_at: createdAt,
    closed_at: closed ? createdAt : null,
    author_association: pr.authorAssociation ?? "NONE",
    head: side(pr.head.ref, pr.head.sha, headName),
    base: side(pr.base.ref, pr.base.sha, fullName),
  };
}

export const fileJson = (fullName: string, headSha: string, filename: string) => ({
  sha: shaOf(filename),
  filename,
  status: "modified",
  additions: 1,
  deletions: 1,
  changes: 2,
  blob_url: `https://github.com/${fullName}/blob/${headSha}/${filename}`,
  raw_url: `https://github.com/${fullName}/raw/${headSha}/${filename}`,
  contents_url: `https://api.github.com/repos/${fullName}/contents/${filename}?ref=${headSha}`,
  patch: "@@ -1 +1 @@\n-old\n+new",
});

export const statusJson = (s: RecordedStatus) => ({
  url: `https://api.github.com/repos/${s.owner}/${s.repo}/statuses/${s.sha}`,
  avatar_url: "https://avatars.githubusercontent.com/u/1?v=4",
  id: s.id,
  node_id: `SC_${s.id}`,
  state: s.state,
  description: s.description ?? null,
  target_url: s.target_url ?? null,
  context: s.context,
  created_at: new Date(s.at).toISOString(),
  updated_at: new Date(s.at).toISOString(),
  creator: userJson("buildgate[bot]"),
});

/** Newest status of each context (contexts compare case-insensitively), newest first. */
export function latestPerContext(statuses: readonly RecordedStatus[]): RecordedStatus[] {
  const seen = new Set<string>();
  return [...statuses].reverse().filter((s) => !seen.has(s.context.toLowerCase()) && seen.add(s.context.toLowerCase()));
}

/** GitHub's combined state: failure if any context is error/failure, pending if none or any pending, else success. */
export function combinedState(latest: readonly RecordedStatus[]): string {
  if (latest.some((s) => s.state === "error" || s.state === "failure")) return "failure";
  if (latest.length === 0 || latest.some((s) => s.state === "pending")) return "pending";
  return "success";
}

/** The legacy `permission` value: maintain reads as write and triage as read; `role_name` keeps the real role. */
export const legacyPermission = (p: FakePermission): string => ({ admin: "admin", maintain: "write", write: "write", triage: "read", read: "read", none: "none" })[p];

/**
 * One page of `items` as GitHub serves it: per_page defaults to 30 and is capped at 100; pages start at 1.
 * The Link header lists prev, next, last, first (only those that apply), each on `selfUrl` with `page` replaced.
 */
export function paginate<T>(items: readonly T[], selfUrl: URL): { page: T[]; link?: string } {
  const rawPerPage = Number.parseInt(selfUrl.searchParams.get("per_page") ?? "", 10);
  const perPage = Number.isNaN(rawPerPage) || rawPerPage < 1 ? 30 : Math.min(rawPerPage, 100);
  const rawPage = Number.parseInt(selfUrl.searchParams.get("page") ?? "", 10);
  const page = Number.isNaN(rawPage) || rawPage < 1 ? 1 : rawPage;
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const at = (n: number) => {
    const u = new URL(selfUrl);
    u.searchParams.set("page", String(n));
    return `<${u.href}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${at(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) rels.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
  if (page > 1) rels.push(`${at(1)}; rel="first"`);
  return { page: items.slice((page - 1) * perPage, page * perPage), ...(rels.length ? { link: rels.join(", ") } : {}) };
}

/** Payload of a JWT, or undefined when it is not three base64url parts with a JSON middle. Signatures are not checked. */
export function decodeJwt(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8"));
    return payload && typeof payload === "object" ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
