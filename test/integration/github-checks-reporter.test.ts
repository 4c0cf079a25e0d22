import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogSlice } from "../../src/domain/build-logs.js";
import { createRateGate } from "../../src/domain/rate-gate.js";
import { STORE_JOBS } from "../../src/pipeline/job-kinds.js";
import { createGithubChecksReporter } from "../../src/providers/github/github-checks-reporter.js";
import { createOctokitChecksApi, createOctokits } from "../../src/providers/github/octokit-github-api.js";
import { openStore } from "../../src/store/open-store.js";
import type { BuildRow, Store } from "../../src/store/store.js";
import { startGithubFake, type GithubFake } from "../fakes/github-fake.js";
import { buildRow } from "../helpers/store-fixtures.js";

// The check-run reporter with the real Octokit against the GitHub fake, a real SQLite store and a log.
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const T = 1_700_000_000_000;
const ERRORS = Array.from({ length: 120 }, (_, i) => `src/file${i}.ts(${i + 1},3): error TS2304: Cannot find name 'x${i}'.`);
const LOG = ["> tsc -p .", ...ERRORS, ...Array.from({ length: 40 }, (_, i) => `npm ERR! line ${i}`)];
const logs = { last: async (_id: number, limit: number): Promise<LogSlice> => ({ lines: LOG.slice(-limit).map((text, i) => ({ n: i + 1, text })), total: LOG.length, complete: true }) };

describe("the check-run reporter (real Octokit, GitHub fake, SQLite)", () => {
  let dir: string;
  let fake: GithubFake;
  const stores: Store[] = [];
  const failed = (): BuildRow =>
    buildRow({ id: 41, state: "failed", repository: "acme/api", started_at: T, ended_at: T + 65_000, trigger: JSON.stringify({ installationId: 5 }), phases: JSON.stringify([{ type: "BUILD", status: "FAILED", durationSeconds: 64, contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: npm run build. Reason: exit status 2" }] }]) });
  const status = { state: "failure" as const, description: "Failed in BUILD: npm run build (exit status 2) after 1m05s", context: "buildgate/api", targetUrl: "https://ci.example/builds/41" };

  async function reporter() {
    const store = await openStore({ url: `sqlite:${join(dir, `${stores.length}.db`)}`, maxAttempts: 3, jobs: STORE_JOBS });
    stores.push(store);
    const octokits = createOctokits({ webhookSecrets: ["s"], apiUrl: fake.url, auth: { appId: 9, privateKeyPath: join(dir, "app.pem") } });
    return createGithubChecksReporter({ checksFor: (id) => createOctokitChecksApi(octokits(id)), store, gate: createRateGate(75, 60_000), appId: 9, logs, now: () => T + 70_000 });
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-checks-reporter-"));
    writeFileSync(join(dir, "app.pem"), privateKey);
  });
  beforeEach(async () => {
    fake = await startGithubFake({ app: { id: 9, publicKey }, installations: { 5: ["acme"] } });
  });
  afterEach(() => fake.close());
  afterAll(async () => {
    for (const s of stores) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends a failed build's compiler errors as annotations, 50 a request, and the log's last 30 lines", async () => {
    await (await reporter()).post(failed(), status);
    const [run] = fake.checkRuns;
    expect(fake.checkRuns).toHaveLength(1);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure", installation_id: 5, external_id: failed().dedupe_key, details_url: status.targetUrl });
    expect(run?.writes.map((w) => [w.method, w.annotations])).toEqual([["POST", 50], ["PATCH", 50], ["PATCH", 20]]);
    expect(run?.annotations).toHaveLength(120);
    expect(run?.annotations[0]).toEqual({ path: "src/file0.ts", start_line: 1, end_line: 1, annotation_level: "failure", message: "TS2304: Cannot find name 'x0'." });
    expect(run?.output.summary).toContain("#### Last 30 log lines\n```text\nnpm ERR! line 10\n");
    expect(run?.output.summary).toContain("**Failing command** in BUILD: ` npm run build ` (exit status 2)");
  });

  it("after a crash that lost the run's id, adopts the run by its external id and sends nothing twice", async () => {
    await (await reporter()).post(failed(), status);
    // A fresh store: the id and the annotation count were never written down.
    await (await reporter()).post(failed(), status);
    expect(fake.checkRuns).toHaveLength(1);
    expect(fake.checkRuns[0]?.annotations).toHaveLength(120);
    expect(fake.checkRuns[0]?.writes).toHaveLength(3);
    const lookups = fake.calls.filter((c) => c.method === "GET" && c.path === `/repos/acme/api/commits/${"a".repeat(40)}/check-runs`);
    expect(lookups.map((c) => [c.query.check_name, c.query.filter])).toEqual([["buildgate/api", "all"], ["buildgate/api", "all"]]);
  });

  it("continues the annotations where a crash stopped them", async () => {
    fake.failNext(1, { status: 502, message: "Bad Gateway" }, { method: "PATCH" });
    const r = await reporter();
    await expect(r.post(failed(), status)).rejects.toMatchObject({ status: 502 });
    expect(fake.checkRuns[0]?.annotations).toHaveLength(50);
    await r.post(failed(), status);
    expect(fake.checkRuns[0]?.annotations).toHaveLength(120);
    expect(new Set(fake.checkRuns[0]?.annotations.map((a) => a.path)).size).toBe(120);
  });
});
