import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codebuildStyleLog, startLogsFake, type LogsFake } from "../fakes/cloudwatch-logs-fake.js";
import { finishFakeBuild, startCodeBuildFake, type CodeBuildFake, type FakeBuild } from "../fakes/codebuild-fake.js";
import { pushExample } from "../helpers/github-examples.js";
import { deliverGithub, sleep, waitFor } from "./e2e-helpers.js";
import { spawnBuildgate, type RunningBuildgate } from "./spawn-buildgate.js";

const SECRET = "e2e-secret-0123456789";

interface LogPage {
  lines: Array<{ n: number; text: string }>;
  cursor: number;
  total: number;
  complete: boolean;
  notice?: { kind: string; message: string };
}

// The real server with the real CodeBuild and CloudWatch Logs clients against the local fakes,
// read as a script (or the build page) reads it: GET /api/builds/:id/log.
describe("e2e: build logs from CloudWatch Logs through /api/builds/:id/log", () => {
  let dir: string;
  let codebuild: CodeBuildFake;
  let cw: LogsFake;
  let gate: RunningBuildgate;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-logs-e2e-"));
    codebuild = await startCodeBuildFake({ projects: ["hello-ci"] });
    cw = await startLogsFake();
    const config = join(dir, "buildgate.yaml");
    writeFileSync(
      config,
      `
store: { url: "sqlite:${join(dir, "bg.db")}" }
server: { host: 127.0.0.1 }
github: { webhookSecrets: ["\${E2E_SECRET}"] }
aws: { region: us-east-1, endpoints: { codebuild: "${codebuild.url}", logs: "${cw.url}" }, maxAttempts: 3 }
logs: { cacheDir: "${join(dir, "logs")}" }
tracking: { pollIntervalSeconds: 1 }
routes:
  - { name: hello, source: { github: "Codertocat/Hello-World" }, on: [push], branches: [master], project: hello-ci }
`,
    );
    gate = await spawnBuildgate(config, { E2E_SECRET: SECRET });
  });
  afterAll(async () => {
    await gate.kill9();
    await codebuild.close();
    await cw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const page = async (id: number, q = ""): Promise<{ status: number; body: LogPage }> => {
    const res = await fetch(`${gate.url}/api/builds/${id}/log${q}`);
    return { status: res.status, body: (await res.json()) as LogPage };
  };

  it("tails a running build for 20 viewers with one GetLogEvents per 2 s, says 'log delayed' when throttled, and keeps the finished log", async () => {
    expect((await deliverGithub(gate, SECRET, "push", pushExample({ after: "a".repeat(40) }))).status).toBe(202);
    const fake = await waitFor("a CodeBuild build", () => [...codebuild.builds.values()][0]);
    fake.currentPhase = "BUILD";
    const id = await waitFor("the build started", async () => {
      const res = (await (await fetch(`${gate.url}/api/builds`)).json()) as { builds: Array<{ id: number; state: string }> };
      return res.builds.find((b) => b.state === "running" || b.state === "queued")?.id;
    });
    const group = fake.logs.groupName as string;
    const stream = fake.logs.streamName as string;
    const lines = codebuildStyleLog(100_000 - 18);
    cw.append(group, stream, lines.slice(0, 12));

    // 1. Twenty viewers poll every 200 ms for 6 s.
    const t0 = Date.now();
    const callsBefore = cw.getLogEventsCalls();
    const seen = await Promise.all(
      Array.from({ length: 20 }, async () => {
        let last: LogPage | undefined;
        while (Date.now() - t0 < 6000) {
          const r = await page(id);
          expect(r.status).toBe(200);
          last = r.body;
          await sleep(200);
        }
        return last;
      }),
    );
    const calls = cw.getLogEventsCalls() - callsBefore;
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(Math.ceil((Date.now() - t0) / 2000) + 1);
    for (const s of seen) expect(s?.total).toBe(12);
    expect(seen[0]?.lines[10]?.text).toBe("[Container] 2026/12/07 10:00:06.123456 Entering phase BUILD");
    expect(seen[0]?.complete).toBe(false);

    // 2. Throttled: the lines known so far, "log delayed", never a 5xx.
    cw.throttle(true);
    const delayed = await waitFor("a delayed notice", async () => {
      const r = await page(id);
      expect(r.status).toBe(200);
      return r.body.notice?.kind === "delayed" ? r.body : undefined;
    }, 10_000);
    expect(delayed.notice?.message).toBe("log delayed: CloudWatch Logs is throttling; retrying");
    expect(delayed.total).toBe(12);
    cw.throttle(false);

    // 3. The build ends (long enough ago for CloudWatch to have every line); its 100,000 lines are read once.
    cw.append(group, stream, lines.slice(12));
    finishFakeBuild(fake as FakeBuild, "FAILED", Date.now() - 15_000);
    await waitFor("the build failed", async () => ((await (await fetch(`${gate.url}/api/builds/${id}`)).json()) as { build: { state: string } }).build.state === "failed");
    const done = await waitFor("the whole log", async () => {
      const r = await page(id, "?after=99000");
      return r.body.complete ? r.body : undefined;
    }, 30_000);
    expect(done.total).toBe(100_000);
    const fetched = cw.getLogEventsCalls();
    const first = await page(id, `?after=${done.total - 500}&limit=500`);
    expect(first.body.lines).toHaveLength(500);
    expect(first.body.lines.at(-1)).toEqual({ n: 100_000, text: lines.at(-1) });
    expect(first.body.cursor).toBe(100_000);
    const head = await page(id, "?limit=13");
    expect(head.body.lines.at(-1)?.text).toBe("<script>alert('log')</script>");
    expect(head.body.lines.at(3)?.text).toBe("\u001b[32madded 412 packages\u001b[0m in 3s");
    let after = 0;
    let count = 0;
    for (;;) {
      const r = await page(id, `?after=${after}&limit=5000`);
      expect(Buffer.byteLength(JSON.stringify(r.body))).toBeLessThan(4 * 1024 * 1024);
      if (r.body.lines.length === 0) break;
      count += r.body.lines.length;
      after = r.body.cursor;
    }
    expect(count).toBe(100_000);
    expect(cw.getLogEventsCalls()).toBe(fetched);
  });
});
