import type { PhaseContext, PhaseRecord } from "../../../src/domain/build-snapshot.js";
import type { BuildState } from "../../../src/domain/build-state.js";
import { failureCause, type FailureCause } from "../../../src/domain/failure-cause.js";

const ORDER = ["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING"];
// What CodeBuild puts on a phase that ended well.
const EMPTY: PhaseContext = { statusCode: "", message: "" };

/** CodeBuild's phases up to `failed` (succeeded, with the empty context), `failed` with `contexts`, then POST_BUILD onwards as CodeBuild still runs them. */
function failedIn(type: string, status: string, contexts: PhaseContext[] | undefined): PhaseRecord[] {
  const at = ORDER.indexOf(type);
  const before = ORDER.slice(0, at).map((t) => ({ type: t, status: "SUCCEEDED", contexts: [EMPTY] }));
  const after = ORDER.slice(at + 1).filter((t) => ORDER.indexOf(t) >= ORDER.indexOf("POST_BUILD")).map((t) => ({ type: t, status: "SUCCEEDED", contexts: [EMPTY] }));
  return [...before, { type, status, ...(contexts ? { contexts } : {}) }, ...after, { type: "COMPLETED" }];
}
const ctx = (statusCode: string, message: string): PhaseContext[] => [{ statusCode, message }];
const cmd = (command: string, reason: string) => ctx("COMMAND_EXECUTION_ERROR", `Error while executing command: ${command}. Reason: ${reason}`);

// Message texts as CodeBuild wrote them in public reports (see each `from`); the phase is CodeBuild's where the report shows it.
describe("failureCause", () => {
  it.each<{ name: string; from: string; state?: BuildState; phases: PhaseRecord[]; want: FailureCause | null }>([
    { name: "npm test in BUILD", from: "the issue's own example", phases: failedIn("BUILD", "FAILED", cmd("npm test", "exit status 1")), want: { phase: "BUILD", command: "npm test", reason: "exit status 1" } },
    {
      name: "a command with quotes and a dot in a file name",
      from: "awslabs/aws-deployment-framework#471",
      phases: failedIn("BUILD", "FAILED", cmd(`grep -Fq "Congratulations" index.html`, "exit status 2")),
      want: { phase: "BUILD", command: `grep -Fq "Congratulations" index.html`, reason: "exit status 2" },
    },
    {
      name: "a long multi-word command whose last word ends in a dot before '. Reason'",
      from: "aws-samples/aws-codepipeline-codebuild-with-postman#8",
      phases: failedIn("BUILD", "FAILED", cmd("aws cloudformation package --template-file petstore-api.yaml --s3-bucket <redacted bucket name> --s3-prefix api-code --output-template-file petstore-api-output.yaml", "exit status 255")),
      want: { phase: "BUILD", command: "aws cloudformation package --template-file petstore-api.yaml --s3-bucket <redacted bucket name> --s3-prefix api-code --output-template-file petstore-api-output.yaml", reason: "exit status 255" },
    },
    { name: "a script in INSTALL", from: "aws-samples/amazon-lex-bi-bot#6", phases: failedIn("INSTALL", "FAILED", cmd("bash build-db.sh", "exit status 255")), want: { phase: "INSTALL", command: "bash build-db.sh", reason: "exit status 255" } },
    { name: "a variable in the command, PRE_BUILD", from: "prowler-cloud/prowler#888", phases: failedIn("PRE_BUILD", "FAILED", cmd("./prowler $PROWLER_OPTIONS", "exit status 3")), want: { phase: "PRE_BUILD", command: "./prowler $PROWLER_OPTIONS", reason: "exit status 3" } },
    { name: "docker push in POST_BUILD", from: "LondheShubham153/online_shopping_app#16", phases: failedIn("POST_BUILD", "FAILED", cmd("docker push $IMAGE_NAME:latest", "exit status 1")), want: { phase: "POST_BUILD", command: "docker push $IMAGE_NAME:latest", reason: "exit status 1" } },
    {
      name: "the console's form, status code in front of the message",
      from: "LondheShubham153/online_shopping_app#16 (as the console shows it)",
      phases: failedIn("BUILD", "FAILED", ctx("COMMAND_EXECUTION_ERROR", "COMMAND_EXECUTION_ERROR: Error while executing command: docker push $IMAGE_NAME:latest. Reason: exit status 1")),
      want: { phase: "BUILD", command: "docker push $IMAGE_NAME:latest", reason: "exit status 1" },
    },
    {
      name: "a source that cannot be found, DOWNLOAD_SOURCE",
      from: "a public project's notes on CodeBuild (find_string 'repository not found for primary source')",
      phases: failedIn("DOWNLOAD_SOURCE", "CLIENT_ERROR", ctx("CLIENT_ERROR", "repository not found for primary source and source version refs/heads/main")),
      want: { phase: "DOWNLOAD_SOURCE", command: null, reason: "repository not found for primary source and source version refs/heads/main" },
    },
    {
      name: "the same in the console's form",
      from: "the issue's example",
      phases: failedIn("DOWNLOAD_SOURCE", "CLIENT_ERROR", ctx("CLIENT_ERROR", "CLIENT_ERROR: repository not found for primary source and source version main")),
      want: { phase: "DOWNLOAD_SOURCE", command: null, reason: "repository not found for primary source and source version main" },
    },
    {
      name: "no buildspec in the source",
      from: "aws-samples/aws-saas-factory-ref-solution-serverless-saas#3",
      phases: failedIn("DOWNLOAD_SOURCE", "FAILED", ctx("YAML_FILE_ERROR", "stat /codebuild/output/src568487777/src/server/tenant-buildspec.yml: no such file or directory")),
      want: { phase: "DOWNLOAD_SOURCE", command: null, reason: "stat /codebuild/output/src568487777/src/server/tenant-buildspec.yml: no such file or directory" },
    },
    {
      name: "the log line's form, 'Message:' after the code",
      from: "the issue's example",
      phases: failedIn("DOWNLOAD_SOURCE", "FAILED", ctx("YAML_FILE_ERROR", "YAML_FILE_ERROR Message: stat /codebuild/output/src123/src/buildspec.yml: no such file or directory")),
      want: { phase: "DOWNLOAD_SOURCE", command: null, reason: "stat /codebuild/output/src123/src/buildspec.yml: no such file or directory" },
    },
    {
      name: "a buildspec that does not parse",
      from: "aws/aws-toolkit-jetbrains#5422",
      phases: failedIn("DOWNLOAD_SOURCE", "FAILED", ctx("YAML_FILE_ERROR", "Expected Commands[0] to be of string type: found list instead at line 12")),
      want: { phase: "DOWNLOAD_SOURCE", command: null, reason: "Expected Commands[0] to be of string type: found list instead at line 12" },
    },
    {
      // The report does not say which phase; an inline buildspec is checked before the source is downloaded.
      name: "a buildspec error in SUBMITTED, on two lines",
      from: "aws/sagemaker-chainer-container#83",
      phases: failedIn("SUBMITTED", "FAILED", ctx("YAML_FILE_ERROR", "YAML_FILE_ERROR: Expected Commands[4] to be of string type: found subkeys instead\n at line 23, value of the key tag on line 22 might be empty")),
      want: { phase: "SUBMITTED", command: null, reason: "Expected Commands[4] to be of string type: found subkeys instead at line 23, value of the key tag on line 22 might be empty" },
    },
    { name: "artifacts that are not there", from: "aws-samples/amazon-ecs-fargate-cdk-cicd#13", phases: failedIn("UPLOAD_ARTIFACTS", "FAILED", ctx("CLIENT_ERROR", "no matching artifact paths found")), want: { phase: "UPLOAD_ARTIFACTS", command: null, reason: "no matching artifact paths found" } },
    { name: "a timed-out phase with no context", from: "phaseStatus TIMED_OUT (no public message text found)", state: "timed_out", phases: failedIn("BUILD", "TIMED_OUT", []), want: { phase: "BUILD", command: null, reason: "timed out" } },
    { name: "a failed phase with an empty context list", from: "BatchGetBuilds shape", phases: failedIn("BUILD", "FAILED", []), want: { phase: "BUILD", command: null, reason: null } },
    { name: "a failed phase with only CodeBuild's empty context", from: "BatchGetBuilds shape", phases: failedIn("BUILD", "FAILED", [EMPTY]), want: { phase: "BUILD", command: null, reason: null } },
    { name: "a phase stored before contexts were kept", from: "builds.phases of older rows", phases: failedIn("BUILD", "FAILED", undefined), want: { phase: "BUILD", command: null, reason: null } },
    { name: "a status code and no message", from: "BatchGetBuilds shape", state: "errored", phases: failedIn("PROVISIONING", "FAULT", ctx("FAULT", "")), want: { phase: "PROVISIONING", command: null, reason: "FAULT" } },
    { name: "the first failed phase wins over a later one", from: "CodeBuild runs UPLOAD_ARTIFACTS after a failed BUILD", phases: [...failedIn("BUILD", "FAILED", cmd("npm test", "exit status 1")).slice(0, -3), { type: "UPLOAD_ARTIFACTS", status: "FAILED", contexts: ctx("CLIENT_ERROR", "no matching artifact paths found") }], want: { phase: "BUILD", command: "npm test", reason: "exit status 1" } },
    { name: "a succeeded build", from: "-", state: "succeeded", phases: failedIn("FINALIZING", "SUCCEEDED", [EMPTY]), want: null },
    { name: "a stopped build is no failure", from: "-", state: "stopped", phases: failedIn("BUILD", "STOPPED", ctx("BUILD_STOPPED", "The build was stopped")), want: null },
    { name: "a running build", from: "-", state: "running", phases: [{ type: "SUBMITTED", status: "SUCCEEDED" }, { type: "BUILD" }], want: null },
    { name: "a failed build whose phases are unknown", from: "-", phases: [], want: null },
  ])("$name ($from)", ({ state, phases, want }) => {
    expect(failureCause({ state: state ?? "failed", phases })).toEqual(want);
  });

  it("reads the phases only for a failing state", () => {
    const unreadable = { state: "succeeded" as const, get phases(): PhaseRecord[] { throw new Error("read"); } };
    expect(failureCause(unreadable)).toBeNull();
  });
});

// What src/builders/local writes (phase-runner.ts, run-build.ts, download-source.ts, collect-artifacts.ts, build-record.ts).
describe("failureCause of the local runner's contexts", () => {
  it.each<{ name: string; state?: BuildState; phases: PhaseRecord[]; want: FailureCause }>([
    { name: "a failed command", phases: failedIn("BUILD", "FAILED", cmd("test -f missing.txt", "exit status 1")), want: { phase: "BUILD", command: "test -f missing.txt", reason: "exit status 1" } },
    { name: "a block scalar command (several lines)", phases: failedIn("BUILD", "FAILED", cmd("set -e\nnpm ci\nnpm test", "exit status 1")), want: { phase: "BUILD", command: "set -e npm ci npm test", reason: "exit status 1" } },
    { name: "a command whose text holds '. Reason: '", phases: failedIn("BUILD", "FAILED", cmd(`echo "a. Reason: b" && exit 3`, "exit status 3")), want: { phase: "BUILD", command: `echo "a. Reason: b" && exit 3`, reason: "exit status 3" } },
    { name: "the build timeout", state: "timed_out", phases: failedIn("BUILD", "TIMED_OUT", ctx("BUILD_TIMED_OUT", "Build has timed out after 0.4 seconds")), want: { phase: "BUILD", command: null, reason: "timed out" } },
    { name: "a source that cannot be copied", phases: failedIn("DOWNLOAD_SOURCE", "FAILED", ctx("CLIENT_ERROR", "cannot copy the source from /nowhere: ENOENT: no such file or directory, stat '/nowhere'")), want: { phase: "DOWNLOAD_SOURCE", command: null, reason: "cannot copy the source from /nowhere: ENOENT: no such file or directory, stat '/nowhere'" } },
    { name: "no buildspec.yml", phases: failedIn("DOWNLOAD_SOURCE", "FAILED", ctx("YAML_FILE_ERROR", "stat /work/api-1/src/buildspec.yml: no such file or directory")), want: { phase: "DOWNLOAD_SOURCE", command: null, reason: "stat /work/api-1/src/buildspec.yml: no such file or directory" } },
    { name: "a gateway that died under the build", phases: failedIn("BUILD", "FAILED", ctx("INTERRUPTED", "interrupted: the buildgate process ended while the build was running")), want: { phase: "BUILD", command: null, reason: "interrupted: the buildgate process ended while the build was running" } },
    { name: "the runner's own error", state: "errored", phases: failedIn("BUILD", "FAULT", ctx("FAULT", "spawn /bin/nope ENOENT")), want: { phase: "BUILD", command: null, reason: "spawn /bin/nope ENOENT" } },
  ])("$name", ({ state, phases, want }) => {
    expect(failureCause({ state: state ?? "failed", phases })).toEqual(want);
  });
});
