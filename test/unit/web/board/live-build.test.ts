import { toLiveBuild } from "../../../../src/web/board/live-build.js";
import { buildRow } from "../../../helpers/store-fixtures.js";

const o = { githubWeb: "https://github.com", awsRegion: "us-east-1", localRoutes: new Set(["local-route"]) };

describe("toLiveBuild: what a live `build` event tells the board", () => {
  it.each([
    ["a running build stays in flight", { state: "running" as const }, { inFlight: true, final: false, failed: false }],
    ["a pending build is in flight", { state: "pending" as const, external_id: null }, { inFlight: true, final: false, failed: false }],
    ["a succeeded build leaves In flight", { state: "succeeded" as const }, { inFlight: false, final: true, failed: false }],
    ["a failed build joins Recent failures", { state: "failed" as const }, { inFlight: false, final: true, failed: true }],
    ["a timed-out build is a failure", { state: "timed_out" as const }, { inFlight: false, final: true, failed: true }],
    ["a stopped build is not a failure", { state: "stopped" as const }, { inFlight: false, final: true, failed: false }],
    ["a skipped build is final", { state: "skipped" as const }, { inFlight: false, final: true, failed: false }],
  ])("%s", (_name, patch, want) => {
    expect(toLiveBuild(buildRow(patch), o)).toMatchObject(want);
  });

  it("names its dashboard card as build_heads does: the repository and the stored lane", () => {
    expect(toLiveBuild(buildRow({}), o).laneKey).toBe(JSON.stringify(["acme/api", "refs/heads/main"]));
    expect(toLiveBuild(buildRow({ pull_request: 12 }), o)).toMatchObject({ lane: "#12", laneKey: JSON.stringify(["acme/api", "pr#12"]) });
  });

  it("carries a pull request's title and author from the trigger, and which builder runs it", () => {
    const b = buildRow({ pull_request: 12, trigger: JSON.stringify({ title: "Fix <b>it</b>", author: "arn:aws:iam::111122223333:user/Mary_Major" }) });
    expect(toLiveBuild(b, o)).toMatchObject({ title: "Fix <b>it</b>", author: "Mary_Major", builder: "codebuild" });
    expect(toLiveBuild(buildRow({ route: "local-route", external_id: null }), o).builder).toBe("local");
    expect(toLiveBuild(buildRow({ external_id: "local:api-ci:0f6c3a52-1c2d-4e5f-8a9b-0123456789ab" }), o).builder).toBe("local");
    expect(toLiveBuild(buildRow({ trigger: JSON.stringify({ title: "a push has no card title" }) }), o).title).toBeUndefined();
  });

  it("carries the cause of a failure for the failures list", () => {
    const phases = JSON.stringify([{ type: "BUILD", status: "FAILED", contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: npm test. Reason: exit status 1" }] }]);
    expect(toLiveBuild(buildRow({ state: "failed", phases }), o).failure).toEqual({ phase: "BUILD", command: "npm test", reason: "exit status 1" });
  });
});
