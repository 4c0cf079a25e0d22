import type { BuildState } from "../../../../src/domain/build-state.js";
import type { PhaseRecord } from "../../../../src/domain/build-snapshot.js";
import type { BuildRow } from "../../../../src/store/store.js";
import { toBuildView, toFailedBuildView, toFailureView, toPhaseViews } from "../../../../src/web/board/view-model.js";
import { buildRow } from "../../../helpers/store-fixtures.js";

const LINKS = { githubWeb: "https://github.com", awsRegion: "us-east-1" };
const PHASES = JSON.stringify([
  { type: "SUBMITTED", status: "SUCCEEDED" },
  { type: "BUILD", status: "FAILED" },
]);

describe("toBuildView description", () => {
  it.each<{ name: string; state: BuildState; phases: string; want: string }>([
    { name: "a failed build names the failed phase", state: "failed", phases: PHASES, want: "Failed in BUILD phase after 1m05s" },
    { name: "a timed-out build names the phase", state: "timed_out", phases: PHASES, want: "Timed out in BUILD phase after 1m05s" },
    { name: "a succeeded build never reads its phases", state: "succeeded", phases: "not json", want: "Succeeded in 1m05s" },
    { name: "a running build never reads its phases", state: "running", phases: "not json", want: "Building: BUILD phase" },
  ])("$name", ({ state, phases, want }) => {
    const b = buildRow({ state, phases, current_phase: "BUILD", started_at: 1_000, ended_at: state === "running" ? null : 66_000 });
    expect(toBuildView(b, LINKS).description).toBe(want);
  });
});

describe("toFailureView", () => {
  const withContext = (type: string, status: string, statusCode: string, message: string) => JSON.stringify([{ type: "SUBMITTED", status: "SUCCEEDED" }, { type, status, contexts: [{ statusCode, message }] }, { type: "COMPLETED" }]);
  it.each([
    { name: "a failed command", state: "failed", phases: withContext("BUILD", "FAILED", "COMMAND_EXECUTION_ERROR", "Error while executing command: npm test. Reason: exit status 1"), want: { phase: "BUILD", command: "npm test", reason: "exit status 1" } },
    { name: "a timed-out build", state: "timed_out", phases: withContext("BUILD", "TIMED_OUT", "BUILD_TIMED_OUT", "Build has timed out after 60 minutes"), want: { phase: "BUILD", command: null, reason: "timed out" } },
    { name: "a failed phase stored without contexts", state: "failed", phases: PHASES, want: { phase: "BUILD", command: null, reason: null } },
    { name: "a succeeded build never reads its phases", state: "succeeded", phases: "not json", want: null },
    { name: "a running build never reads its phases", state: "running", phases: "not json", want: null },
  ] as Array<{ name: string; state: BuildState; phases: string; want: unknown }>)("$name", ({ state, phases, want }) => {
    expect(toFailureView(buildRow({ state, phases }))).toEqual(want);
  });

  it("a recent failure's row is the build view plus its cause", () => {
    const b = buildRow({ state: "failed", phases: PHASES, started_at: 1_000, ended_at: 66_000 });
    expect(toFailedBuildView(b, LINKS)).toEqual({ ...toBuildView(b, LINKS), failure: { phase: "BUILD", command: null, reason: null } });
  });
});

// Fixed times: the view model reads only the row (it takes no clock), so these pin every string.
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const STARTED = T0 + 5_000;
const UUID = "0f6c3a52-1c2d-4e5f-8a9b-0123456789ab";

/** Phase records in CodeBuild's order, each `seconds` long and back to back from STARTED; no status: in progress. */
function phases(...entries: Array<[type: string, status?: string, seconds?: number]>): string {
  let at = STARTED;
  const records: PhaseRecord[] = entries.map(([type, status, seconds]) => {
    const startedAt = at;
    if (status === undefined) return { type, startedAt };
    at += (seconds ?? 1) * 1000;
    return { type, status, startedAt, endedAt: at, durationSeconds: seconds ?? 1 };
  });
  return JSON.stringify(records);
}

const SETUP: Array<[string, string, number]> = [
  ["SUBMITTED", "SUCCEEDED", 1],
  ["QUEUED", "SUCCEEDED", 2],
  ["PROVISIONING", "SUCCEEDED", 20],
  ["DOWNLOAD_SOURCE", "SUCCEEDED", 4],
  ["INSTALL", "SUCCEEDED", 35],
];

/** A build that has not reached CodeBuild: no external id, times or phases. */
const unstarted = (over: Partial<BuildRow>) =>
  buildRow({ created_at: T0, updated_at: T0, external_id: null, external_status: null, started_at: null, current_phase: null, phases: null, ...over });
/** A build CodeBuild ran, from STARTED for `seconds`. */
const ran = (seconds: number, over: Partial<BuildRow>) =>
  buildRow({ created_at: T0, updated_at: T0, external_id: `api-ci:${UUID}`, started_at: STARTED, ended_at: STARTED + seconds * 1000, ...over });

const ROWS: Record<string, BuildRow> = {
  pending: unstarted({ id: 1, state: "pending" }),
  "pending, retrying": unstarted({ id: 2, state: "pending", error: "ThrottlingException: Rate exceeded" }),
  queued: buildRow({ id: 3, state: "queued", created_at: T0, external_id: `api-ci:${UUID}`, external_status: "IN_PROGRESS", started_at: STARTED, current_phase: "QUEUED", phases: phases(["SUBMITTED", "SUCCEEDED", 1], ["QUEUED"]) }),
  "running with phases": buildRow({
    id: 4,
    state: "running",
    created_at: T0,
    external_id: `api-ci:${UUID}`,
    started_at: STARTED,
    current_phase: "BUILD",
    phases: phases(...SETUP, ["PRE_BUILD", "SUCCEEDED", 3], ["BUILD"]),
    logs_url: "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/api-ci",
  }),
  succeeded: ran(192, { id: 5, state: "succeeded", external_status: "SUCCEEDED", current_phase: "COMPLETED", phases: phases(...SETUP, ["BUILD", "SUCCEEDED", 120], ["COMPLETED"]) }),
  "failed with phases and error": ran(125, {
    id: 6,
    state: "failed",
    external_status: "FAILED",
    current_phase: "COMPLETED",
    phases: phases(...SETUP, ["PRE_BUILD", "SUCCEEDED", 3], ["BUILD", "FAILED", 60], ["POST_BUILD", "SUCCEEDED", 1], ["COMPLETED"]),
    error: "COMMAND_EXECUTION_ERROR: Error while executing command: npm test. Reason: exit status 1",
  }),
  "stopped, superseded": ran(40, { id: 7, state: "stopped", external_status: "STOPPED", current_phase: "INSTALL", superseded_by: 9, error: "a newer event of this pull request or branch arrived first" }),
  skipped: unstarted({ id: 8, state: "skipped", ended_at: T0 }),
  errored: unstarted({ id: 10, state: "errored", error: "AccessDeniedException: not authorized to perform codebuild:StartBuild", logs_url: "javascript:alert(1)" }),
  "pull request": ran(65, { id: 11, state: "succeeded", event_kind: "pull_request", pull_request: 42, ref: "refs/heads/main", head_ref: "feature/login", sha: "b".repeat(40), current_phase: "COMPLETED" }),
  tag: ran(30, { id: 12, state: "succeeded", event_kind: "tag", ref: "refs/tags/v1.2.0", current_phase: "COMPLETED" }),
  codecommit: ran(75, {
    id: 13,
    state: "failed",
    provider: "codecommit",
    repository: "MyDemoRepo",
    route: "cc",
    project: "cc-ci",
    context: "codebuild/cc",
    pull_request: 7,
    event_kind: "pull_request",
    external_id: `cc-ci:${UUID}`,
    current_phase: "BUILD",
    trigger: JSON.stringify({ deliveryId: "e-1", event: "CodeCommit Pull Request State Change", region: "eu-west-1" }),
  }),
};

describe("toBuildView snapshot", () => {
  const views = Object.fromEntries(Object.entries(ROWS).map(([name, row]) => [name, toBuildView(row, LINKS)]));

  it("matches the stored snapshot for every kind of build", () => {
    expect(views).toMatchSnapshot();
  });

  it.each([
    { name: "pending", state: "pending", tone: "pending", description: "Waiting to start", inFlight: true },
    { name: "pending, retrying", state: "pending", tone: "pending", description: "Waiting to start (retrying: ThrottlingException: Rate exceeded)", inFlight: true },
    { name: "queued", state: "queued", tone: "pending", description: "Build queued", inFlight: true },
    { name: "running with phases", state: "running", tone: "pending", description: "Building: BUILD phase", inFlight: true },
    { name: "succeeded", state: "succeeded", tone: "success", description: "Succeeded in 3m12s", inFlight: false },
    { name: "failed with phases and error", state: "failed", tone: "failure", description: "Failed in BUILD phase after 2m05s", inFlight: false },
    { name: "stopped, superseded", state: "stopped", tone: "error", description: "Stopped after 40s", inFlight: false },
    { name: "skipped", state: "skipped", tone: "success", description: "Not affected by this change", inFlight: false },
    { name: "errored", state: "errored", tone: "error", description: "Error: AccessDeniedException: not authorized to perform codebuild:StartBuild", inFlight: false },
  ])("$name: $state, tone $tone, \"$description\"", ({ name, ...want }) => {
    const v = views[name];
    expect(v && { state: v.state, tone: v.tone, description: v.description, inFlight: v.inFlight }).toEqual(want);
  });

  it("names each lane: the branch, the tag, or the pull request number", () => {
    expect([views["running with phases"]?.lane, views.tag?.lane, views["pull request"]?.lane, views.codecommit?.lane]).toEqual(["main", "v1.2.0", "#42", "#7"]);
  });

  it("links GitHub builds to github.com and CodeCommit builds to the console of the trigger's region", () => {
    expect(views["pull request"]?.links).toEqual({
      commit: `https://github.com/acme/api/commit/${"b".repeat(40)}`,
      pullRequest: "https://github.com/acme/api/pull/42",
      console: `https://us-east-1.console.aws.amazon.com/codesuite/codebuild/projects/api-ci/build/api-ci%3A${UUID}/?region=us-east-1`,
    });
    expect(views.codecommit?.links).toEqual({
      commit: `https://eu-west-1.console.aws.amazon.com/codesuite/codecommit/repositories/MyDemoRepo/commit/${"a".repeat(40)}?region=eu-west-1`,
      pullRequest: "https://eu-west-1.console.aws.amazon.com/codesuite/codecommit/repositories/MyDemoRepo/pull-requests/7?region=eu-west-1",
      console: `https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/projects/cc-ci/build/cc-ci%3A${UUID}/?region=eu-west-1`,
    });
  });

  it("shows created times in ISO, durations only for builds that ended, and drops a non-http logs URL", () => {
    expect(views.pending?.createdAt).toBe("2026-11-26T12:00:00.000Z");
    expect([views.succeeded?.duration, views.queued?.duration, views.pending?.duration]).toEqual(["3m12s", undefined, undefined]);
    expect(views.errored?.links).toEqual({ commit: `https://github.com/acme/api/commit/${"a".repeat(40)}` });
  });
});

describe("toPhaseViews snapshot", () => {
  it("matches the stored timelines of a running and a failed build", () => {
    expect({ running: toPhaseViews(ROWS["running with phases"] as BuildRow), failed: toPhaseViews(ROWS["failed with phases and error"] as BuildRow) }).toMatchSnapshot();
  });

  it("marks the current phase in progress, finished ones by status, and later ones not started", () => {
    const timeline = toPhaseViews(ROWS["running with phases"] as BuildRow).map((p) => `${p.type}:${p.status}:${p.duration}`);
    expect(timeline.slice(4, 9)).toEqual(["INSTALL:SUCCEEDED:35s", "PRE_BUILD:SUCCEEDED:3s", "BUILD:IN_PROGRESS:", "POST_BUILD:NOT_STARTED:", "UPLOAD_ARTIFACTS:NOT_STARTED:"]);
  });

  it("gives a failed phase the failure tone", () => {
    const build = toPhaseViews(ROWS["failed with phases and error"] as BuildRow).find((p) => p.type === "BUILD");
    expect(build).toEqual({ type: "BUILD", status: "FAILED", duration: "1m00s", tone: "failure" });
  });
});
