import { buildIdFromArn, parseCodeBuildEvent } from "../../../src/domain/codebuild-event.js";

const UUID = "a1b2c3d4-5678-90ab-cdef-1234567890ab";
const ARN = `arn:aws:codebuild:us-west-2:123456789012:build/my-sample-project:${UUID}`;

// Shaped like the samples in the CodeBuild user guide (sample-build-notifications).
const stateChange = {
  version: "0",
  id: "bfdc1220-60ff-44bd-8ba2-9f9c2fcd6b40",
  "detail-type": "CodeBuild Build State Change",
  source: "aws.codebuild",
  account: "123456789012",
  time: "2017-09-01T16:14:28Z",
  region: "us-west-2",
  resources: [ARN],
  detail: { "build-status": "SUCCEEDED", "project-name": "my-sample-project", "build-id": ARN, "current-phase": "COMPLETED", "additional-information": { "build-start-time": "Sep 1, 2017 4:12:29 PM" } },
};

describe("buildIdFromArn", () => {
  it.each([
    { name: "a build ARN", value: ARN, want: `my-sample-project:${UUID}` },
    { name: "a China-region ARN", value: ARN.replace("arn:aws:", "arn:aws-cn:"), want: `my-sample-project:${UUID}` },
    { name: "an API id", value: `my-sample-project:${UUID}`, want: `my-sample-project:${UUID}` },
    { name: "a project ARN", value: "arn:aws:codebuild:us-west-2:123456789012:project/my-sample-project", want: undefined },
    { name: "another service", value: `arn:aws:s3:us-west-2:123456789012:build/x:${UUID}`, want: undefined },
    { name: "garbage", value: "../../etc/passwd", want: undefined },
  ])("$name", ({ value, want }) => {
    expect(buildIdFromArn(value)).toBe(want);
  });
});

describe("parseCodeBuildEvent", () => {
  it("reads a Build State Change", () => {
    expect(parseCodeBuildEvent(stateChange)).toEqual({ buildId: `my-sample-project:${UUID}`, detailType: "CodeBuild Build State Change", status: "SUCCEEDED" });
  });

  it("reads a Build Phase Change", () => {
    const phase = { ...stateChange, "detail-type": "CodeBuild Build Phase Change", detail: { "completed-phase": "BUILD", "completed-phase-status": "FAILED", "build-id": ARN } };
    expect(parseCodeBuildEvent(phase)).toEqual({ buildId: `my-sample-project:${UUID}`, detailType: "CodeBuild Build Phase Change", status: "FAILED" });
  });

  it.each([
    { name: "another source", event: { ...stateChange, source: "aws.codecommit" } },
    { name: "another detail type", event: { ...stateChange, "detail-type": "CodeBuild Report State Change" } },
    { name: "no detail", event: { ...stateChange, detail: undefined } },
    { name: "a bad build id", event: { ...stateChange, detail: { ...stateChange.detail, "build-id": "nope" } } },
    { name: "not an object", event: "CodeBuild" },
    { name: "null", event: null },
  ])("ignores $name", ({ event }) => {
    expect(parseCodeBuildEvent(event)).toBeUndefined();
  });
});
