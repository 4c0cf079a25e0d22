import { createCodeBuildBuilder, createCodeBuildClient } from "../../src/builders/codebuild/codebuild-builder.js";
import { BuilderError, type Builder } from "../../src/domain/builder.js";
import { startCodeBuildFake, type CodeBuildFake } from "../fakes/codebuild-fake.js";

const MINUTE = 60_000;
const T0 = 1_700_000_000_000;

describe("CodeBuild findByKey: ListBuildsForProject + BatchGetBuilds through the real AWS SDK", () => {
  let fake: CodeBuildFake;
  let builder: Builder;
  let clock = T0;
  const env = { ...process.env };
  beforeEach(async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret-test" });
    clock = T0;
    fake = await startCodeBuildFake({ projects: ["hello-ci", "other-ci"], now: () => clock, listPageSize: 3 });
    builder = createCodeBuildBuilder(createCodeBuildClient({ region: "us-east-1", endpoint: fake.url, maxAttempts: 2 }));
    // Builds 1..7 of hello-ci, a minute apart, each with its key; other-ci has one with key k2 too.
    for (let i = 1; i <= 7; i++) {
      await builder.start({ project: "hello-ci", sourceVersion: "main", env: { STAGE: "ci", BUILDGATE_BUILD_KEY: `k${i}` }, idempotencyToken: `t${i}` });
      clock += MINUTE;
    }
    await builder.start({ project: "other-ci", sourceVersion: "main", env: { BUILDGATE_BUILD_KEY: "k9" }, idempotencyToken: "t9" });
    fake.calls.length = 0;
  });
  afterEach(async () => {
    process.env = env;
    await fake.close();
  });

  const idOfKey = (key: string) => [...fake.builds.values()].find((b) => b.environment.environmentVariables.some((v) => v.value === key))?.id;
  const ops = () => fake.calls.map((c) => c.op);

  it("finds the build carrying the key, newest first, following nextToken", async () => {
    const found = await builder.findByKey!("hello-ci", "k3", 0);
    expect(found).toEqual({ buildId: idOfKey("k3"), logsUrl: expect.stringContaining("logEvent:group=/aws/codebuild/hello-ci") });
    expect(ops()).toEqual(["ListBuildsForProject", "BatchGetBuilds", "ListBuildsForProject", "BatchGetBuilds"]);
    expect(fake.calls[0]?.body).toEqual({ projectName: "hello-ci", sortOrder: "DESCENDING" });
    expect(fake.calls[2]?.body).toEqual({ projectName: "hello-ci", sortOrder: "DESCENDING", nextToken: expect.any(String) });
    // Page 1 is builds 7, 6, 5; page 2 is 4, 3, 2.
    const numbers = (i: number) => (fake.calls[i]?.body.ids as string[]).map((id) => fake.builds.get(id)?.buildNumber);
    expect([numbers(1), numbers(3)]).toEqual([
      [7, 6, 5],
      [4, 3, 2],
    ]);
  });

  it("answers undefined after the last page when no build carries the key, and only looks in the project", async () => {
    expect(await builder.findByKey!("hello-ci", "k9", 0)).toBeUndefined();
    expect(ops().filter((op) => op === "ListBuildsForProject")).toHaveLength(3);
    expect(await builder.findByKey!("other-ci", "k9", 0)).toEqual({ buildId: idOfKey("k9"), logsUrl: expect.any(String) });
  });

  it("stops at the first page that reaches back before `since`", async () => {
    const fifth = T0 + 4 * MINUTE;
    expect(await builder.findByKey!("hello-ci", "k1", fifth)).toBeUndefined();
    expect(ops()).toEqual(["ListBuildsForProject", "BatchGetBuilds", "ListBuildsForProject", "BatchGetBuilds"]);
  });

  it("reports an unknown project as a permanent BuilderError, throttling as a retryable one", async () => {
    await expect(builder.findByKey!("nope-ci", "k1", 0)).rejects.toMatchObject({ name: "BuilderError", retryable: false });
    fake.failNext(2, { status: 400, type: "ThrottlingException", message: "Rate exceeded" });
    const err = await builder.findByKey!("hello-ci", "k1", 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuilderError);
    expect(err).toMatchObject({ retryable: true });
  });
});

describe("CodeBuild fake: ListBuildsForProject", () => {
  let fake: CodeBuildFake;
  const env = { ...process.env };
  beforeEach(() => Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret-test" }));
  afterEach(async () => {
    process.env = env;
    await fake.close();
  });

  const list = async (body: Record<string, unknown>) => {
    const res = await fetch(fake.url, { method: "POST", headers: { "x-amz-target": "CodeBuild_20161006.ListBuildsForProject", "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { ids?: string[]; nextToken?: string; __type?: string } };
  };

  it("sorts by build number (descending by default), pages with nextToken, and refuses a bad token or project", async () => {
    fake = await startCodeBuildFake({ projects: ["p"], listPageSize: 2 });
    const builder = createCodeBuildBuilder(createCodeBuildClient({ region: "us-east-1", endpoint: fake.url, maxAttempts: 1 }));
    for (let i = 1; i <= 3; i++) await builder.start({ project: "p", sourceVersion: "main", env: {}, idempotencyToken: `t${i}` });
    const number = (ids: string[] = []) => ids.map((id) => fake.builds.get(id)?.buildNumber);
    const first = await list({ projectName: "p" });
    expect(number(first.body.ids)).toEqual([3, 2]);
    const second = await list({ projectName: "p", nextToken: first.body.nextToken });
    expect([number(second.body.ids), second.body.nextToken]).toEqual([[1], undefined]);
    expect(number((await list({ projectName: "p", sortOrder: "ASCENDING" })).body.ids)).toEqual([1, 2]);
    expect((await list({ projectName: "p", nextToken: "garbage!" })).body.__type).toBe("InvalidInputException");
    expect((await list({ projectName: "q" })).body.__type).toBe("ResourceNotFoundException");
  });
});
