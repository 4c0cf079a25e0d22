import { BatchGetBuildsCommand, CodeBuildClient, StartBuildCommand, StopBuildCommand, type StartBuildCommandInput } from "@aws-sdk/client-codebuild";
import { finishFakeBuild, startCodeBuildFake, type CodeBuildFake } from "../fakes/codebuild-fake.js";

const throttled = { status: 400, type: "ThrottlingException", message: "Rate exceeded" };

describe("CodeBuild fake, driven by the real AWS SDK client", () => {
  let fake: CodeBuildFake;
  let client: CodeBuildClient;
  beforeEach(async () => {
    fake = await startCodeBuildFake();
    client = new CodeBuildClient({ region: "us-east-1", endpoint: fake.url, credentials: { accessKeyId: "x", secretAccessKey: "y" }, maxAttempts: 3 });
  });
  afterEach(async () => {
    client.destroy();
    await fake.close();
  });

  const input = (overrides: Partial<StartBuildCommandInput> = {}): StartBuildCommandInput => ({
    projectName: "api-ci",
    sourceVersion: "refs/heads/main^{0123456789abcdef0123456789abcdef01234567}",
    environmentVariablesOverride: [
      { name: "STAGE", value: "ci", type: "PLAINTEXT" },
      { name: "BUILDGATE_DELIVERY", value: "d-1" },
    ],
    ...overrides,
  });

  it("starts a build and records the call with its environment variables", async () => {
    const out = await client.send(new StartBuildCommand(input()));

    const build = out.build;
    expect(build?.id).toMatch(/^api-ci:[0-9a-f-]{36}$/);
    expect(build).toMatchObject({ projectName: "api-ci", buildNumber: 1, buildStatus: "IN_PROGRESS", currentPhase: "SUBMITTED", sourceVersion: input().sourceVersion });
    expect(build?.arn).toBe(`arn:aws:codebuild:us-east-1:123456789012:build/${build?.id}`);
    expect(build?.startTime).toBeInstanceOf(Date);
    expect(build?.logs?.deepLink).toContain("logEvent:group=/aws/codebuild/api-ci");
    expect(build?.environment?.environmentVariables).toEqual([
      { name: "STAGE", value: "ci", type: "PLAINTEXT" },
      { name: "BUILDGATE_DELIVERY", value: "d-1", type: "PLAINTEXT" },
    ]);

    expect(fake.calls).toHaveLength(1);
    const [call] = fake.calls;
    expect(call).toMatchObject({ op: "StartBuild", status: 200, body: { projectName: "api-ci" } });
    expect(call?.body.environmentVariablesOverride).toEqual(input().environmentVariablesOverride);
    expect(call?.headers["x-amz-target"]).toBe("CodeBuild_20161006.StartBuild");
    expect(call?.headers["content-type"]).toBe("application/x-amz-json-1.1");
    expect(call?.headers["amz-sdk-request"]).toMatch(/^attempt=1; max=3$/);
    expect([...fake.builds.keys()]).toEqual([build?.id]);
  });

  it("numbers builds per project", async () => {
    const a1 = await client.send(new StartBuildCommand(input()));
    const a2 = await client.send(new StartBuildCommand(input()));
    const b1 = await client.send(new StartBuildCommand(input({ projectName: "web-ci" })));
    expect([a1.build?.buildNumber, a2.build?.buildNumber, b1.build?.buildNumber]).toEqual([1, 2, 1]);
    expect(fake.builds.size).toBe(3);
  });

  it("returns the same build for a repeated idempotency token and rejects it with other parameters", async () => {
    const first = await client.send(new StartBuildCommand(input({ idempotencyToken: "tok-1" })));
    const again = await client.send(new StartBuildCommand(input({ idempotencyToken: "tok-1" })));
    expect(again.build?.id).toBe(first.build?.id);
    expect(fake.builds.size).toBe(1);

    const mismatch = client.send(new StartBuildCommand(input({ idempotencyToken: "tok-1", sourceVersion: "main" })));
    await expect(mismatch).rejects.toMatchObject({ name: "InvalidInputException", $metadata: { httpStatusCode: 400 } });
    expect(fake.builds.size).toBe(1);
  });

  it("lets the SDK retry throttling until it succeeds, creating one build", async () => {
    fake.failNext(2, throttled);
    const out = await client.send(new StartBuildCommand(input({ idempotencyToken: "tok-retry" })));

    expect(out.$metadata.attempts).toBe(3);
    expect(fake.builds.size).toBe(1);
    expect(fake.calls.map((c) => [c.op, c.status, c.headers["amz-sdk-request"]])).toEqual([
      ["StartBuild", 400, "attempt=1; max=3"],
      ["StartBuild", 400, "attempt=2; max=3"],
      ["StartBuild", 200, "attempt=3; max=3"],
    ]);
  });

  it("surfaces throttling once the SDK's attempts are used up", async () => {
    fake.failNext(3, throttled);
    await expect(client.send(new StartBuildCommand(input()))).rejects.toMatchObject({ name: "ThrottlingException", message: "Rate exceeded", $metadata: { attempts: 3 } });
    expect(fake.builds.size).toBe(0);
  });

  it("lets the SDK retry a reset connection", async () => {
    fake.failNext(1, "reset");
    const out = await client.send(new StartBuildCommand(input()));
    expect(out.$metadata.attempts).toBe(2);
    expect(fake.calls.map((c) => c.status)).toEqual([0, 200]);
    expect(fake.builds.size).toBe(1);
  });

  it("rejects a project missing from setProjects with ResourceNotFoundException, and accepts any after setProjects(undefined)", async () => {
    fake.setProjects(["api-ci"]);
    await expect(client.send(new StartBuildCommand(input({ projectName: "nope" })))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await expect(client.send(new StartBuildCommand(input()))).resolves.toBeDefined();
    fake.setProjects(undefined);
    await expect(client.send(new StartBuildCommand(input({ projectName: "nope" })))).resolves.toBeDefined();
    expect(fake.calls.map((c) => c.status)).toEqual([400, 200, 200]);
  });

  it("honours the projects option", async () => {
    const strict = await startCodeBuildFake({ projects: ["only"] });
    const strictClient = new CodeBuildClient({ region: "us-east-1", endpoint: strict.url, credentials: { accessKeyId: "x", secretAccessKey: "y" }, maxAttempts: 1 });
    try {
      await expect(strictClient.send(new StartBuildCommand(input()))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    } finally {
      strictClient.destroy();
      await strict.close();
    }
  });

  it("returns builds and the ids it does not know from BatchGetBuilds, and follows edits", async () => {
    const { build } = await client.send(new StartBuildCommand(input()));
    const id = build?.id ?? "";

    const out = await client.send(new BatchGetBuildsCommand({ ids: [id, "api-ci:missing"] }));
    expect(out.builds?.map((b) => [b.id, b.buildStatus])).toEqual([[id, "IN_PROGRESS"]]);
    expect(out.buildsNotFound).toEqual(["api-ci:missing"]);

    const stored = fake.builds.get(id);
    if (!stored) throw new Error("build not stored");
    finishFakeBuild(stored, "SUCCEEDED");
    const done = await client.send(new BatchGetBuildsCommand({ ids: [id] }));
    expect(done.builds?.[0]).toMatchObject({ buildStatus: "SUCCEEDED", buildComplete: true, currentPhase: "COMPLETED" });
    expect(done.builds?.[0]?.endTime).toBeInstanceOf(Date);
  });

  it.each([
    { name: "no ids", ids: [] as string[] },
    { name: "101 ids", ids: Array.from({ length: 101 }, (_, i) => `p:${i}`) },
  ])("rejects BatchGetBuilds with $name", async ({ ids }) => {
    await expect(client.send(new BatchGetBuildsCommand({ ids }))).rejects.toMatchObject({ name: "InvalidInputException" });
  });

  it("stops a running build, and reports an unknown one as not found", async () => {
    const { build } = await client.send(new StartBuildCommand(input()));
    const out = await client.send(new StopBuildCommand({ id: build?.id }));
    expect(out.build).toMatchObject({ id: build?.id, buildStatus: "STOPPED", buildComplete: true });
    expect(fake.builds.get(build?.id ?? "")?.buildStatus).toBe("STOPPED");

    await expect(client.send(new StopBuildCommand({ id: "api-ci:missing" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("answers errors in AWS JSON 1.1 shape with x-amzn-errortype", async () => {
    fake.failNext(1, { status: 400, type: "AccountLimitExceededException", message: "Cannot have more than 1 builds in queue for the account" });
    const res = await fetch(fake.url, { method: "POST", headers: { "x-amz-target": "CodeBuild_20161006.StartBuild", "content-type": "application/x-amz-json-1.1" }, body: "{}" });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-errortype")).toBe("AccountLimitExceededException");
    expect(res.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(await res.json()).toEqual({ __type: "AccountLimitExceededException", message: "Cannot have more than 1 builds in queue for the account" });

    const unknown = await fetch(fake.url, { method: "POST", headers: { "x-amz-target": "CodeBuild_20161006.DeleteProject" }, body: "{}" });
    expect(await unknown.json()).toMatchObject({ __type: "UnknownOperationException" });
    expect(fake.calls.map((c) => [c.op, c.status])).toEqual([
      ["StartBuild", 400],
      ["DeleteProject", 400],
    ]);
  });
});
