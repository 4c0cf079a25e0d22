import { GithubError, notFound, paginate, repoJson, validationFailed } from "./github-fake-shapes.js";

// Check runs for github-fake.ts, modelled on GitHub's REST API (2022-11-28, @octokit/openapi-types):
// POST /repos/{o}/{r}/check-runs, PATCH …/check-runs/{id}, GET …/check-runs/{id},
// GET …/commits/{ref}/check-runs (check_name, status, filter=latest|all). Only a GitHub App's
// installation token may write them; a summary over 65,535 characters, or more than 50
// annotations in one request, is a 422 as on GitHub.

export const MAX_CHECK_SUMMARY = 65_535;
export const MAX_ANNOTATIONS_PER_REQUEST = 50;
const STATUSES = ["queued", "in_progress", "completed", "waiting", "requested", "pending"] as const;
const CONCLUSIONS = ["action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"] as const;
const LEVELS = ["notice", "warning", "failure"] as const;

export interface RecordedAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: string;
  message: string;
  title?: string;
}

/** One check run as the fake holds it: its current fields and every request that wrote it. */
export interface RecordedCheckRun {
  readonly id: number;
  readonly owner: string;
  readonly repo: string;
  readonly name: string;
  readonly head_sha: string;
  external_id: string | null;
  status: string;
  conclusion: string | null;
  details_url: string | null;
  started_at: string | null;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  readonly annotations: RecordedAnnotation[];
  readonly app_id: number;
  /** The installation whose token created it. */
  readonly installation_id: number;
  /** Each accepted create and update, in order: the status and conclusion it set. */
  readonly writes: Array<{ readonly method: "POST" | "PATCH"; readonly status: string; readonly conclusion: string | null; readonly annotations: number; readonly at: number }>;
}

export interface FakeChecks {
  readonly checkRuns: RecordedCheckRun[];
  /** The runs of `repo` on `sha` named `name`, oldest first. */
  runsOf(repo: string, sha: string, name?: string): RecordedCheckRun[];
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };
/** Who is calling: the installation (and its App) whose token the request carries, if any. */
export interface Caller {
  readonly installationId?: number;
  readonly appId?: number;
}
export type CheckRoute = [string, RegExp, (params: string[], req: { url: URL; body: unknown; caller: Caller }) => Answer];

const key = (owner: string, repo: string) => `${owner}/${repo}`.toLowerCase();
const asObject = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const optionalString = (b: Record<string, unknown>, field: string): string | null | undefined => {
  const v = b[field];
  if (v === undefined) return undefined;
  if (v === null || typeof v === "string") return v;
  throw validationFailed("CheckRun", `${field} is not a string`, field);
};

function checkAnnotations(raw: unknown): RecordedAnnotation[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw validationFailed("CheckRun", "annotations is not an array", "annotations");
  // GitHub: "The Checks API limits the number of annotations to a maximum of 50 per API request."
  if (raw.length > MAX_ANNOTATIONS_PER_REQUEST) throw validationFailed("CheckRun", `Only ${MAX_ANNOTATIONS_PER_REQUEST} annotations are allowed per request`, "annotations");
  return raw.map((item) => {
    const a = asObject(item);
    const ok = typeof a.path === "string" && a.path !== "" && Number.isInteger(a.start_line) && Number.isInteger(a.end_line) && typeof a.message === "string" && (LEVELS as readonly string[]).includes(String(a.annotation_level));
    if (!ok) throw validationFailed("CheckRun", "annotations need path, start_line, end_line, annotation_level (notice|warning|failure) and message", "annotations");
    return { path: a.path as string, start_line: a.start_line as number, end_line: a.end_line as number, annotation_level: a.annotation_level as string, message: a.message as string, ...(typeof a.title === "string" ? { title: a.title } : {}) };
  });
}

/** The fields of a create or update body that the fake keeps, checked as GitHub checks them. */
function parseFields(b: Record<string, unknown>) {
  const status = optionalString(b, "status");
  if (status != null && !(STATUSES as readonly string[]).includes(status)) throw validationFailed("CheckRun", "status is not included in the list", "status");
  const conclusion = optionalString(b, "conclusion");
  if (conclusion != null && !(CONCLUSIONS as readonly string[]).includes(conclusion)) throw validationFailed("CheckRun", "conclusion is not included in the list", "conclusion");
  let output: { title: string | null; summary: string | null; text: string | null; annotations: RecordedAnnotation[] } | undefined;
  if (b.output !== undefined) {
    const o = asObject(b.output);
    if (typeof o.title !== "string" || typeof o.summary !== "string") throw validationFailed("CheckRun", "output needs a title and a summary", "output");
    if (o.summary.length > MAX_CHECK_SUMMARY) throw validationFailed("CheckRun", `Output summary is too long (maximum is ${MAX_CHECK_SUMMARY} characters)`, "summary");
    const text = typeof o.text === "string" ? o.text : null;
    if (text !== null && text.length > MAX_CHECK_SUMMARY) throw validationFailed("CheckRun", `Output text is too long (maximum is ${MAX_CHECK_SUMMARY} characters)`, "text");
    output = { title: o.title, summary: o.summary, text, annotations: checkAnnotations(o.annotations) };
  }
  return { status, conclusion, output, details_url: optionalString(b, "details_url"), external_id: optionalString(b, "external_id"), started_at: optionalString(b, "started_at"), completed_at: optionalString(b, "completed_at") };
}

export function createFakeChecks(): { checks: FakeChecks; routes: CheckRoute[] } {
  const runs: RecordedCheckRun[] = [];
  let nextId = 5_000_000;

  const json = (r: RecordedCheckRun) => ({
    id: r.id,
    node_id: `CR_${r.id}`,
    head_sha: r.head_sha,
    external_id: r.external_id,
    url: `https://api.github.com/repos/${r.owner}/${r.repo}/check-runs/${r.id}`,
    html_url: `https://github.com/${r.owner}/${r.repo}/runs/${r.id}`,
    details_url: r.details_url,
    status: r.status,
    conclusion: r.conclusion,
    started_at: r.started_at,
    completed_at: r.completed_at,
    output: { ...r.output, annotations_count: r.annotations.length, annotations_url: `https://api.github.com/repos/${r.owner}/${r.repo}/check-runs/${r.id}/annotations` },
    name: r.name,
    check_suite: { id: r.id + 1 },
    app: { id: r.app_id, slug: "buildgate", name: "buildgate" },
    pull_requests: [],
    repository: repoJson(`${r.owner}/${r.repo}`, `${r.owner}/${r.repo}`),
  });

  const requireApp = (caller: Caller) => {
    // PATs and OAuth tokens may read check runs but not write them.
    if (caller.installationId === undefined) throw new GithubError(403, { message: "You must authenticate via a GitHub App.", documentation_url: "https://docs.github.com/rest/checks/runs#create-a-check-run", status: "403" });
  };

  const find = (owner: string, repo: string, id: string) => {
    const run = runs.find((r) => r.id === Number(id) && key(r.owner, r.repo) === key(owner, repo));
    if (!run) throw notFound();
    return run;
  };

  function apply(run: RecordedCheckRun, f: ReturnType<typeof parseFields>, method: "POST" | "PATCH") {
    if (f.conclusion != null) run.status = "completed";
    if (f.status != null) run.status = f.status;
    if (f.conclusion !== undefined) run.conclusion = f.conclusion;
    if (run.status === "completed" && run.conclusion === null) throw validationFailed("CheckRun", "conclusion can't be blank when status is completed", "conclusion");
    if (f.details_url !== undefined) run.details_url = f.details_url;
    if (f.external_id !== undefined) run.external_id = f.external_id;
    if (f.started_at !== undefined) run.started_at = f.started_at;
    if (f.completed_at !== undefined) run.completed_at = f.completed_at;
    if (run.status === "completed" && run.completed_at === null) run.completed_at = new Date().toISOString();
    if (f.output) {
      run.output = { title: f.output.title, summary: f.output.summary, text: f.output.text };
      run.annotations.push(...f.output.annotations); // appended, as GitHub does
    }
    run.writes.push({ method, status: run.status, conclusion: run.conclusion, annotations: f.output?.annotations.length ?? 0, at: Date.now() });
  }

  const seg = "([^/]+)";
  const repoPath = `^/repos/${seg}/${seg}`;
  const routes: CheckRoute[] = [
    [
      "POST",
      new RegExp(`${repoPath}/check-runs$`),
      ([owner = "", repo = ""], { body, caller }) => {
        requireApp(caller);
        const b = asObject(body);
        if (typeof b.name !== "string" || b.name === "") throw validationFailed("CheckRun", "name can't be blank", "name");
        if (typeof b.head_sha !== "string" || !/^[0-9a-f]{40}$/i.test(b.head_sha)) throw validationFailed("CheckRun", "head_sha is not a commit", "head_sha");
        const fields = parseFields(b);
        const run: RecordedCheckRun = { id: ++nextId, owner, repo, name: b.name, head_sha: b.head_sha, external_id: null, status: "queued", conclusion: null, details_url: null, started_at: null, completed_at: null, output: { title: null, summary: null, text: null }, annotations: [], app_id: caller.appId ?? 0, installation_id: caller.installationId ?? 0, writes: [] };
        apply(run, fields, "POST");
        runs.push(run);
        return { status: 201, body: json(run) };
      },
    ],
    [
      "PATCH",
      new RegExp(`${repoPath}/check-runs/(\\d+)$`),
      ([owner = "", repo = "", id = ""], { body, caller }) => {
        requireApp(caller);
        const run = find(owner, repo, id);
        if (caller.appId !== undefined && run.app_id !== caller.appId) throw new GithubError(403, { message: "Invalid app_id: the check run belongs to another GitHub App", status: "403" });
        const fields = parseFields(asObject(body));
        // Validated on a copy, so a refused update changes nothing.
        const copy: RecordedCheckRun = structuredClone(run);
        apply(copy, fields, "PATCH");
        Object.assign(run, copy);
        return { status: 200, body: json(run) };
      },
    ],
    ["GET", new RegExp(`${repoPath}/check-runs/(\\d+)$`), ([owner = "", repo = "", id = ""]) => ({ status: 200, body: json(find(owner, repo, id)) })],
    [
      "GET",
      new RegExp(`${repoPath}/commits/${seg}/check-runs$`),
      ([owner = "", repo = "", ref = ""], { url }) => {
        const name = url.searchParams.get("check_name");
        const status = url.searchParams.get("status");
        let list = runs.filter((r) => key(r.owner, r.repo) === key(owner, repo) && r.head_sha.toLowerCase() === ref.toLowerCase() && (name === null || r.name === name) && (status === null || r.status === status)).reverse();
        // filter=latest (the default) keeps the newest run of each name.
        if ((url.searchParams.get("filter") ?? "latest") === "latest") list = list.filter((r, i) => list.findIndex((o) => o.name === r.name) === i);
        const { page, link } = paginate(list, url);
        return { status: 200, body: { total_count: list.length, check_runs: page.map(json) }, ...(link && { headers: { link } }) };
      },
    ],
  ];

  return {
    checks: {
      checkRuns: runs,
      runsOf: (repo, sha, name) => runs.filter((r) => key(r.owner, r.repo) === repo.toLowerCase() && r.head_sha === sha && (name === undefined || r.name === name)),
    },
    routes,
  };
}
