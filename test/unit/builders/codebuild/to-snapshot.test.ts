import type { PhaseContext } from "@aws-sdk/client-codebuild";
import { toSnapshot } from "../../../../src/builders/codebuild/to-snapshot.js";

const at = (s: number) => new Date(1_800_000_000_000 + s * 1000);

describe("CodeBuild toSnapshot: phase contexts", () => {
  it.each<{ name: string; contexts: PhaseContext[] | undefined; want: unknown }>([
    { name: "a failed command's context is kept", contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: npm test. Reason: exit status 1" }], want: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: npm test. Reason: exit status 1" }] },
    { name: "CodeBuild's empty context on a finished phase is dropped", contexts: [{ statusCode: "", message: "" }], want: undefined },
    { name: "no contexts at all", contexts: undefined, want: undefined },
    { name: "a status code without a message", contexts: [{ statusCode: "CLIENT_ERROR" }], want: [{ statusCode: "CLIENT_ERROR", message: "" }] },
  ])("$name", ({ contexts, want }) => {
    const snap = toSnapshot({ id: "api-ci:1", buildStatus: "FAILED", phases: [{ phaseType: "BUILD", phaseStatus: "FAILED", startTime: at(0), endTime: at(65), durationInSeconds: 65, ...(contexts ? { contexts } : {}) }] });
    expect(snap.phases[0]?.contexts).toEqual(want);
    expect(snap.phases[0]).toMatchObject({ type: "BUILD", status: "FAILED", durationSeconds: 65 });
  });
});
