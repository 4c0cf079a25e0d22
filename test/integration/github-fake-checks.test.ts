import { generateKeyPairSync } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { startGithubFake, type GithubFake } from "../fakes/github-fake.js";

// The GitHub fake's check runs and App tokens, driven by the real @octokit/rest and @octokit/auth-app.
const keys = () => generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const { privateKey, publicKey } = keys();
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const sha = "a".repeat(40);
const owner = "acme";
const repo = "api";

async function rejection(p: Promise<unknown>): Promise<{ status?: number; message?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { status?: number; message?: string };
  }
  throw new Error("expected a rejection");
}

describe("GitHub fake: check runs and App installations", () => {
  let fake: GithubFake;
  const app = (installationId: number, key = privateKey, appId = 7) => new Octokit({ authStrategy: createAppAuth, auth: { appId, privateKey: key, installationId }, baseUrl: fake.url, log: quiet });
  beforeEach(async () => {
    fake = await startGithubFake({ app: { id: 7, publicKey }, installations: { 1: ["acme"], 2: ["other-org"] } });
  });
  afterEach(() => fake.close());

  it("creates, updates (annotations appended) and lists check runs", async () => {
    const octokit = app(1);
    const { data } = await octokit.rest.checks.create({ owner, repo, name: "buildgate/api", head_sha: sha, external_id: "key-1", status: "queued", output: { title: "Build queued", summary: "s" } });
    const annotation = { path: "src/a.ts", start_line: 1, end_line: 1, annotation_level: "failure" as const, message: "bad" };
    await octokit.rest.checks.update({ owner, repo, check_run_id: data.id, status: "completed", conclusion: "failure", output: { title: "Failed", summary: "s2", annotations: [annotation] } });
    await octokit.rest.checks.update({ owner, repo, check_run_id: data.id, output: { title: "Failed", summary: "s2", annotations: [annotation, annotation] } });
    const [run] = fake.runsOf("acme/api", sha, "buildgate/api");
    expect(run).toMatchObject({ status: "completed", conclusion: "failure", external_id: "key-1", installation_id: 1, app_id: 7 });
    expect(run?.annotations).toHaveLength(3);
    const listed = await octokit.paginate(octokit.rest.checks.listForRef, { owner, repo, ref: sha, check_name: "buildgate/api", filter: "all" });
    expect(listed.map((r) => [r.id, r.external_id, r.output.annotations_count])).toEqual([[data.id, "key-1", 3]]);
  });

  it.each([
    { name: "a summary over 65,535 characters", output: { title: "t", summary: "x".repeat(65_536) }, want: "Output summary is too long" },
    { name: "51 annotations in one request", output: { title: "t", summary: "s", annotations: Array.from({ length: 51 }, () => ({ path: "a.ts", start_line: 1, end_line: 1, annotation_level: "notice" as const, message: "m" })) }, want: "Only 50 annotations are allowed per request" },
  ])("refuses $name with 422, as GitHub does", async ({ output, want }) => {
    const err = await rejection(app(1).rest.checks.create({ owner, repo, name: "c", head_sha: sha, output }));
    expect(err.status).toBe(422);
    expect(JSON.stringify((err as { response?: { data?: unknown } }).response?.data)).toContain(want);
    expect(fake.checkRuns).toHaveLength(0);
  });

  it("accepts exactly 65,535 characters and 50 annotations", async () => {
    const annotations = Array.from({ length: 50 }, () => ({ path: "a.ts", start_line: 1, end_line: 1, annotation_level: "notice" as const, message: "m" }));
    await expect(app(1).rest.checks.create({ owner, repo, name: "c", head_sha: sha, output: { title: "t", summary: "x".repeat(65_535), annotations } })).resolves.toMatchObject({ status: 201 });
  });

  it("lets only an App's installation token write check runs", async () => {
    const pat = new Octokit({ auth: "ghp_whatever", baseUrl: fake.url, log: quiet });
    const err = await rejection(pat.rest.checks.create({ owner, repo, name: "c", head_sha: sha }));
    expect(err).toMatchObject({ status: 403, message: expect.stringContaining("You must authenticate via a GitHub App") });
  });

  it("verifies the JWT against the App's public key and the App id", async () => {
    const other = keys();
    expect((await rejection(app(1, other.privateKey).rest.checks.create({ owner, repo, name: "c", head_sha: sha }))).status).toBe(401);
    expect((await rejection(app(1, privateKey, 8).rest.checks.create({ owner, repo, name: "c", head_sha: sha }))).status).toBe(401);
    expect(fake.tokens).toHaveLength(0);
  });

  it("issues each installation its own token, good only on its accounts' repositories", async () => {
    await app(1).rest.checks.create({ owner, repo, name: "c", head_sha: sha });
    await app(2).rest.checks.create({ owner: "other-org", repo: "web", name: "c", head_sha: sha });
    expect(fake.tokens.map((t) => t.installationId)).toEqual([1, 2]);
    expect((await rejection(app(2).rest.checks.create({ owner, repo, name: "c", head_sha: sha }))).status).toBe(404);
    expect((await rejection(app(3).rest.checks.create({ owner, repo, name: "c", head_sha: sha }))).status).toBe(404);
  });
});
