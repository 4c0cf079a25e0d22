import { storedPhases, type PhaseRecord } from "../../domain/build-snapshot.js";
import { isFinal, toCommitState, type BuildState } from "../../domain/build-state.js";
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
}

export interface PhaseView {
  readonly type: string;
  readonly status: string;
  readonly duration: string;
  readonly tone: string;
}

const laneOf = (b: BuildRow) => (b.pull_request !== null ? `#${b.pull_request}` : b.ref.replace(/^refs\/(heads|tags)\//, ""));
const phasesOf = (b: BuildRow): PhaseRecord[] => storedPhases(b.phases);

/** A stored build as the board shows it: plain strings only, every one escaped by the template. */
export function toBuildView(b: BuildRow, o: { githubWeb: string; awsRegion: string }): BuildView {
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
  };
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
export function toFailedBuildView(b: BuildRow, o: { githubWeb: string; awsRegion: string }): BuildView & { readonly failure: FailureCause | null } {
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
