import { createCodeBuildBuilder, createCodeBuildClient } from "../../src/builders/codebuild/codebuild-builder.js";
import { BuilderError } from "../../src/domain/builder.js";
import { createOctokit, createOctokitGithubApi, observeRateLimit } from "../../src/providers/github/octokit-github-api.js";
import { startCodeBuildFake, type CodeBuildFake } from "../fakes/codebuild-fake.js";
import { startGithubFake, type GithubFake } from "../fakes/github-fake.js";

const sha = "0123456789abcdef0123456789abcdef01234567";
const status = { state: "pending", description: "Build queued", context: "buildgate/hello" } as const;

describe("GitHub rate limit remaining, from the real Octokit against the GitHub fake", () => {
  let fake: GithubFake;
  beforeEach(async () => {
    fake = await startGithubFake({ token: "ghp_test" });
  });
  afterEach(async () => {
    await fake.close();
  });

  it("reports x-ratelimit-remaining of every answer, a 403 at the limit included", async () => {
    const seen: Array<[string, number]> = [];
    const octokit = createOctokit({ webhookSecrets: ["s"], apiUrl: fake.url, auth: { token: "ghp_test" } });
    observeRateLimit(octokit, (resource, remaining) => seen.push([resource, remaining]));
    const api = createOctokitGithubApi(octokit);
    fake.setRateLimit(2, Math.floor(Date.now() / 1000) + 600);

    await api.createStatus("acme/api", sha, status);
    await api.createStatus("acme/api", sha, status);
    await expect(api.createStatus("acme/api", sha, status)).rejects.toMatchObject({ status: 403 });
    expect(seen).toEqual([
      ["core", 1],
      ["core", 0],
      ["core", 0],
    ]);
  });
});

describe("CodeBuild API errors, from the real AWS SDK against the CodeBuild fake", () => {
  let fake: CodeBuildFake;
  const env = { ...process.env };
  beforeEach(async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret-test" });
    fake = await startCodeBuildFake({ projects: ["hello-ci"] });
  });
  afterEach(async () => {
    process.env = env;
    await fake.close();
  });

  const request = (project: string, token: string) => ({ route: "hello", repository: "acme/api", sha, project, sourceVersion: sha, env: {}, idempotencyToken: token });

  it("counts every failed attempt by operation and error name, the SDK's retries included", async () => {
    const errors: string[] = [];
    const builder = createCodeBuildBuilder(createCodeBuildClient({ region: "us-east-1", endpoint: fake.url, maxAttempts: 3, onApiError: (op, name) => errors.push(`${op} ${name}`) }));
    fake.failNext(2, { status: 400, type: "ThrottlingException", message: "Rate exceeded" });
    await builder.start(request("hello-ci", "t-1"));
    await expect(builder.start(request("no-such-project", "t-2"))).rejects.toBeInstanceOf(BuilderError);
    fake.failNext(1, { status: 500, type: "InternalFailure", message: "oops" });
    await builder.poll(["hello-ci:none"]);
    expect(errors).toEqual(["StartBuild ThrottlingException", "StartBuild ThrottlingException", "StartBuild ResourceNotFoundException", "BatchGetBuilds InternalFailure"]);
  });
});
