import type { BuildState } from "../../../../src/domain/build-state.js";
import { toBuildView } from "../../../../src/web/board/view-model.js";
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
