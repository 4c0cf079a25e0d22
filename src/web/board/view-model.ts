import { storedPhases, type PhaseRecord } from "../../domain/build-snapshot.js";
import { isFinal, toCommitState, type BuildState } from "../../domain/build-state.js";
import { isLocalBuildId } from "../../domain/builder.js";
import { failureCause, type FailureCause } from "../../domain/failure-cause.js";
import { describeBuild, formatDuration } from "../../domain/status-description.js";
import type { BuildRow } from "../../store/store.js";
import { buildLinks, type BuildLinks } from "./links.js";

/** CodeBuild's phase order, for the timeline. */
export const PHASE_ORDER = ["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING", "COMPLETED"];

export interface BuildView {
  readonly id: number;
  readonly route: string;
  readonly repository: string;
  readonly provider: string;
  readonly lane: string;
  readonly sha: string;
  readonly shortSha: string;
  readonly state: BuildState;
  /** pending | success | failure | error: the colour, as on GitHub. */
  readonly tone: string;
  readonly description: string;
  readonly phase: string | null;
  readonly project: string;
  readonly context: string;
  readonly createdAt: string;
  readonly duration?: string;
  readonly links: BuildLinks;
  readonly inFlight: boolean;
  /** Which builder runs it: labels say "CodeBuild" and "CloudWatch" only for CodeBuild builds. */
  readonly builder: "codebuild" | "local";
  /** The dashboard card it belongs to: JSON of [repository, lane as stored] (`refs/heads/main`, `pr#12`). */
  readonly laneKey: string;
  /** The pull request's title and author (from the trigger stored at routing time), when known. */
  readonly title?: string;
  readonly author?: string;
}

/** Options for the views of builds: where links point, and which routes run on the local runner. */
export interface ViewOptions {
  readonly githubWeb: string;
  readonly awsRegion: string;
  readonly localRoutes?: ReadonlySet<string>;
}

export interface PhaseView {
  readonly type: string;
  readonly status: string;
  readonly duration: string;
  readonly tone: string;
}

const laneOf = (b: BuildRow) => (b.pull_request !== null ? `#${b.pull_request}` : b.ref.replace(/^refs\/(heads|tags)\//, ""));
const phasesOf = (b: BuildRow): PhaseRecord[] => storedPhases(b.phases);

// ---- Cards: pull request title and author, builder, lane (issue 13) ----

/** `[repository, lane]` as build_heads stores the lane: what ties a live update to its dashboard card. */
export const laneKeyOf = (repository: string, storedLane: string): string => JSON.stringify([repository, storedLane]);
const storedLaneOf = (b: BuildRow) => (b.pull_request !== null ? `pr#${b.pull_request}` : b.ref);

/** A CodeCommit author is an IAM ARN: show its last part (the user, or the role session). */
const shortAuthor = (author: string) => (author.startsWith("arn:") ? (author.split(/[/:]/).pop() ?? author) : author);

function cardOf(b: BuildRow): { title?: string; author?: string } {
  if (b.pull_request === null || !b.trigger) return {};
  try {
    const t = JSON.parse(b.trigger) as { title?: unknown; author?: unknown };
    return { ...(typeof t.title === "string" && t.title ? { title: t.title } : {}), ...(typeof t.author === "string" && t.author ? { author: shortAuthor(t.author) } : {}) };
  } catch {
    return {};
  }
}

function builderOf(b: BuildRow, o: ViewOptions): BuildView["builder"] {
  if (b.external_id) return isLocalBuildId(b.external_id) ? "local" : "codebuild";
  return o.localRoutes?.has(b.route) ? "local" : "codebuild";
}

/** A stored build as the board shows it: plain strings only, every one escaped by the template. */
export function toBuildView(b: BuildRow, o: ViewOptions): BuildView {
  const state = b.state;
  return {
    id: b.id,
    route: b.route,
    repository: b.repository,
    provider: b.provider,
    lane: laneOf(b),
    sha: b.sha,
    shortSha: b.sha.slice(0, 7),
    state,
    tone: toCommitState(state),
    description: describeBuild({
      state,
      currentPhase: b.current_phase,
      // Parsed only when the description names a failed phase (a list shows mostly other builds).
      get phases() {
        return phasesOf(b);
      },
      startedAt: b.started_at,
      endedAt: b.ended_at,
      error: b.error,
    }),
    phase: b.current_phase,
    project: b.project,
    context: b.context,
    createdAt: new Date(Number(b.created_at)).toISOString(),
    ...(b.started_at && b.ended_at ? { duration: formatDuration(b.ended_at - b.started_at) } : {}),
    links: buildLinks(b, o),
    inFlight: !isFinal(state),
    builder: builderOf(b, o),
    laneKey: laneKeyOf(b.repository, storedLaneOf(b)),
    ...cardOf(b),
  };
}

/** A dashboard card: a branch, tag or pull request of a repository with the head build of each route. */
export interface LaneView {
  readonly repository: string;
  /** As the pages show it: `main`, `v1.0`, `#12`. */
  readonly lane: string;
  readonly key: string;
  /** `/builds` filtered to this lane (the filters take what the page shows). */
  readonly buildsUrl: string;
  readonly title?: string;
  readonly author?: string;
  readonly builds: readonly BuildView[];
}

export function toLaneView(l: { readonly repository: string; readonly lane: string; readonly builds: readonly BuildRow[] }, o: ViewOptions): LaneView {
  const lane = l.lane.replace(/^refs\/(heads|tags)\//, "").replace(/^pr#/, "#");
  const builds = l.builds.map((b) => toBuildView(b, o));
  // The newest build that knows the pull request's title (one started by a comment may not).
  const card = [...builds].sort((a, b) => b.id - a.id).find((b) => b.title);
  const query = new URLSearchParams({ repository: l.repository, ref: lane });
  return { repository: l.repository, lane, key: laneKeyOf(l.repository, l.lane), buildsUrl: `/builds?${query.toString()}`, ...(card?.title ? { title: card.title } : {}), ...(card?.author ? { author: card.author } : {}), builds };
}

/**
 * Why a build failed, for the build page's header, the dashboard's recent failures and the JSON
 * API: null unless it failed, timed out or errored. The command is repository text: templates
 * print it with `<%=` only.
 */
export function toFailureView(b: BuildRow): FailureCause | null {
  return failureCause({
    state: b.state,
    // Parsed only for a failed build.
    get phases() {
      return phasesOf(b);
    },
  });
}

/** A row of the dashboard's recent failures: the build and its cause. */
export function toFailedBuildView(b: BuildRow, o: ViewOptions): BuildView & { readonly failure: FailureCause | null } {
  return { ...toBuildView(b, o), failure: toFailureView(b) };
}

const PHASE_TONE: Readonly<Record<string, string>> = { SUCCEEDED: "success", FAILED: "failure", FAULT: "error", TIMED_OUT: "failure", STOPPED: "error", CLIENT_ERROR: "error" };

/** The phase timeline in CodeBuild's order; phases not reached yet are shown as waiting. */
export function toPhaseViews(b: BuildRow): PhaseView[] {
  const byType = new Map(phasesOf(b).map((p) => [p.type, p]));
  const current = b.current_phase;
  return PHASE_ORDER.map((type) => {
    const p = byType.get(type);
    const status = p?.status ?? (p ? (type === current && type !== "COMPLETED" ? "IN_PROGRESS" : type === "COMPLETED" ? "DONE" : "IN_PROGRESS") : "NOT_STARTED");
    const seconds = p?.durationSeconds ?? (p?.startedAt && p.endedAt ? Math.round((p.endedAt - p.startedAt) / 1000) : undefined);
    return { type, status, duration: seconds !== undefined ? formatDuration(seconds * 1000) : "", tone: PHASE_TONE[status] ?? (status === "IN_PROGRESS" ? "pending" : status === "DONE" ? "done" : "none") };
  });
}

/** Payload viewer: values under secret-looking keys are replaced before anything is shown. */
export function redactPayload(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactPayload);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, /secret|token|password|passwd|signature|authorization|cookie|private|api[_-]?key|credential/i.test(k) ? "[redacted]" : redactPayload(v)]));
  }
  return value;
}
