import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

// Types, errors and the pure repository model for codecommit-fake.ts, modelled on AWS CodeCommit's
// JSON API (CodeCommit_20150413, botocore codecommit/2015-04-13/service-2.json).

export type FileChange = "A" | "M" | "D";

/** A commit as a test describes it: its parent and the files it changed relative to that parent. */
export interface FakeCommit {
  id: string;
  parent?: string;
  message?: string;
  /** "Name <email>" or a bare name; default "Buildgate Test <test@example.com>". */
  author?: string;
  /** Author and committer date in epoch seconds; default the fake's clock when added. */
  date?: number;
  /** `change` defaults to "A" when the file is absent from the parent's tree, else "M". */
  files: Array<{ path: string; change?: FileChange }>;
}

export interface FakePullRequest {
  pullRequestId: string;
  repositoryName: string;
  title?: string;
  authorArn?: string;
  status?: "OPEN" | "CLOSED";
  sourceReference: string;
  destinationReference: string;
  sourceCommit: string;
  destinationCommit: string;
  /** Default: the nearest common ancestor of the two commits when the fake knows them, else `destinationCommit`. */
  mergeBase?: string;
  /** Default: derived from the id and `sourceCommit`, so it changes when the source branch moves, as CodeCommit's does. */
  revisionId?: string;
}

export interface FakeCommentLocation {
  filePath?: string;
  filePosition?: number;
  relativeFileVersion?: "BEFORE" | "AFTER";
}

export interface RecordedComment {
  kind: "pullRequest" | "comparedCommit";
  pullRequestId?: string;
  repositoryName: string;
  beforeCommitId?: string;
  afterCommitId: string;
  content: string;
  clientRequestToken?: string;
  commentId: string;
  location?: FakeCommentLocation;
  /** Epoch seconds. */
  creationDate: number;
}

export interface RecordedApproval {
  pullRequestId: string;
  revisionId: string;
  approvalState: "APPROVE" | "REVOKE";
}

export interface FakeFailure {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

/** An error answer: thrown by operations, rendered as AWS JSON 1.1 by the server. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}
export const clientError = (type: string, message: string) => new ApiError(400, type, message);

export const MAX_COMMENT_CHARS = 10_240;
export const DEFAULT_MAX_RESULTS = 100;
const FILE_MODE = "100644";

export const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** JSON with sorted keys, so equal parameters compare equal whatever their order. */
export function fingerprint(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)])) : v;
  return sha256(JSON.stringify(sorted(value)));
}

/** A required string member: absent or empty → `<requiredType>`. */
export function requireString(body: Record<string, unknown>, member: string, requiredType: string): string {
  const value = body[member];
  if (value === undefined || value === null || value === "") throw clientError(requiredType, `${member} is required but was not specified.`);
  if (typeof value !== "string") throw clientError("SerializationException", `${member} must be a string`);
  return value;
}

export function optionalString(body: Record<string, unknown>, member: string): string | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw clientError("SerializationException", `${member} must be a string`);
  return value;
}

export interface Blob {
  blobId: string;
  path: string;
  mode: string;
}
export interface Difference {
  beforeBlob?: Blob;
  afterBlob?: Blob;
  changeType: FileChange;
}

/** Commits and branches of one repository; trees are derived by replaying changes from the root. */
export class FakeRepository {
  readonly commits = new Map<string, FakeCommit & { date: number }>();
  readonly branches = new Map<string, string>();
  readonly id: string;

  constructor(readonly name: string) {
    this.id = [sha1(name).slice(0, 8), sha1(name).slice(8, 12), sha1(name).slice(12, 16), sha1(name).slice(16, 20), sha1(name).slice(20, 32)].join("-");
  }

  /** Commit id for a full id, a branch name or `refs/heads/<branch>`; undefined when none matches. */
  resolve(specifier: string): string | undefined {
    if (this.commits.has(specifier)) return specifier;
    const branch = specifier.startsWith("refs/heads/") ? specifier.slice("refs/heads/".length) : specifier;
    return this.branches.get(branch);
  }

  /** Ancestors of `id`, itself first (first parents only, as commits have one parent). */
  lineage(id: string): string[] {
    const chain: string[] = [];
    const seen = new Set<string>();
    for (let at: string | undefined = id; at !== undefined && !seen.has(at); at = this.commits.get(at)?.parent) {
      seen.add(at);
      chain.push(at);
    }
    return chain;
  }

  /** path → blob id at `id`. A parent the fake does not know counts as an empty tree. */
  tree(id: string): Map<string, string> {
    const tree = new Map<string, string>();
    for (const at of this.lineage(id).reverse()) {
      const commit = this.commits.get(at);
      for (const file of commit?.files ?? []) {
        if (file.change === "D") tree.delete(file.path);
        else tree.set(file.path, sha1(`blob\0${this.name}\0${at}\0${file.path}`));
      }
    }
    return tree;
  }

  treeId(id: string): string {
    return sha1(`tree\0${[...this.tree(id)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).join("\n")}`);
  }

  /** Nearest common ancestor, or undefined when the fake cannot tell. */
  mergeBase(a: string, b: string): string | undefined {
    if (!this.commits.has(a) || !this.commits.has(b)) return undefined;
    const ancestorsOfB = new Set(this.lineage(b));
    return this.lineage(a).find((c) => ancestorsOfB.has(c));
  }

  /** Tree differences from `before` (or the empty tree) to `after`, ordered by path. */
  differences(after: string, before?: string): Difference[] {
    const to = this.tree(after);
    const from = before === undefined ? new Map<string, string>() : this.tree(before);
    const paths = [...new Set([...from.keys(), ...to.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const blob = (path: string, blobId: string): Blob => ({ blobId, path, mode: FILE_MODE });
    const out: Difference[] = [];
    for (const path of paths) {
      const was = from.get(path);
      const now = to.get(path);
      if (was === now) continue;
      if (was === undefined && now !== undefined) out.push({ afterBlob: blob(path, now), changeType: "A" });
      else if (was !== undefined && now === undefined) out.push({ beforeBlob: blob(path, was), changeType: "D" });
      else if (was !== undefined && now !== undefined) out.push({ beforeBlob: blob(path, was), afterBlob: blob(path, now), changeType: "M" });
    }
    return out;
  }
}

/** Splits "Name <email>" into CodeCommit's userInfo. */
export function userInfo(author: string | undefined, date: number): { name: string; email: string; date: string } {
  const text = author ?? "Buildgate Test <test@example.com>";
  const match = /^(.*?)\s*<([^>]*)>\s*$/.exec(text);
  const name = match ? (match[1] ?? "") : text;
  const email = match ? (match[2] ?? "") : `${text.toLowerCase().replace(/[^a-z0-9]+/g, ".")}@example.com`;
  return { name, email, date: `${Math.floor(date)} +0000` };
}

/** Opaque GetDifferences continuation token bound to one query. */
export function encodeToken(query: string, offset: number): string {
  return Buffer.from(JSON.stringify({ q: query.slice(0, 16), o: offset }), "utf8").toString("base64");
}

export function decodeToken(token: string, query: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { q?: unknown; o?: unknown };
    if (parsed.q === query.slice(0, 16) && typeof parsed.o === "number" && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through
  }
  throw clientError("InvalidContinuationTokenException", "The specified continuation token is not valid.");
}

/** A pull request as the fake keeps it. */
export interface StoredPullRequest {
  pr: Required<Omit<FakePullRequest, "mergeBase">> & { mergeBase?: string };
  creationDate: number;
  lastActivityDate: number;
  /** Every source / destination / merge-base commit the PR has had. */
  sourceCommits: Set<string>;
  destinationCommits: Set<string>;
}

/** CommentLocation checks; undefined when the request has none. */
export function validateLocation(body: Record<string, unknown>): FakeCommentLocation | undefined {
  const raw = body.location;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) throw clientError("InvalidFileLocationException", "The location of the file is not valid.");
  const location = raw as Record<string, unknown>;
  const filePath = requireString(location, "filePath", "PathRequiredException");
  const { filePosition, relativeFileVersion } = location;
  if (filePosition !== undefined && (typeof filePosition !== "number" || !Number.isInteger(filePosition) || filePosition < 0)) throw clientError("InvalidFilePositionException", "The position is not valid.");
  if (relativeFileVersion !== undefined && relativeFileVersion !== "BEFORE" && relativeFileVersion !== "AFTER") throw clientError("InvalidRelativeFileVersionEnumException", "Either the enum is not in a valid format, or the specified file version enum is not valid in respect to the current file version.");
  return { filePath, ...(filePosition !== undefined ? { filePosition } : {}), ...(relativeFileVersion !== undefined ? { relativeFileVersion } : {}) };
}

/** GetPullRequest's `pullRequest`. */
export function renderPullRequest(stored: StoredPullRequest, repo: FakeRepository | undefined) {
  const { pr } = stored;
  const mergeBase = pr.mergeBase ?? repo?.mergeBase(pr.sourceCommit, pr.destinationCommit) ?? pr.destinationCommit;
  return {
    pullRequestId: pr.pullRequestId,
    title: pr.title,
    pullRequestStatus: pr.status,
    authorArn: pr.authorArn,
    revisionId: pr.revisionId,
    creationDate: stored.creationDate,
    lastActivityDate: stored.lastActivityDate,
    pullRequestTargets: [
      {
        repositoryName: pr.repositoryName,
        sourceReference: pr.sourceReference,
        destinationReference: pr.destinationReference,
        sourceCommit: pr.sourceCommit,
        destinationCommit: pr.destinationCommit,
        mergeBase,
        mergeMetadata: { isMerged: false },
      },
    ],
    approvalRules: [],
  };
}

/** The request body as a JSON object ({} when empty). */
export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ApiError(400, "SerializationException", "request body is not a JSON object");
}

/** Writes an AWS JSON 1.1 answer; `errorType` also goes in x-amzn-errortype. */
export function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const headers: Record<string, string> = { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() };
  if (errorType) headers["x-amzn-errortype"] = errorType;
  res.writeHead(status, headers).end(JSON.stringify(body));
}
