import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCodeBuildLogSource, createLogsClient } from "../../src/builders/codebuild/codebuild-log-source.js";
import type { BuildLogs } from "../../src/domain/build-logs.js";
import type { BuildState } from "../../src/domain/build-state.js";
import { createBuildLogs } from "../../src/logs/create-build-logs.js";
import { createLogCache } from "../../src/logs/log-cache.js";
import type { BuildRow } from "../../src/store/store.js";
import { codebuildStyleLog, startLogsFake, type LogsFake } from "../fakes/cloudwatch-logs-fake.js";
import { finishFakeBuild, startCodeBuildFake, type CodeBuildFake, type FakeBuild } from "../fakes/codebuild-fake.js";

const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "secret-test" };

// The CloudWatch Logs source with the real SDK clients (CodeBuild for the stream, Logs for the
// lines) against the local fakes, behind the shared-tail service.
describe("CodeBuild build logs from CloudWatch Logs", () => {
  let codebuild: CodeBuildFake;
  let cw: LogsFake;
  let dir: string;
  let clock: number;
  let row: { id: number; state: BuildState; external_id: string; ended_at: number | null };
  let build: FakeBuild;

  const make = (o: { pageEvents?: number } = {}): BuildLogs => {
    const limits = { maxBytes: 50 * 1024 * 1024, maxLineChars: 10_000 };
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    const source = createCodeBuildLogSource({ codebuild: new CodeBuildClient({ region: "us-east-1", endpoint: codebuild.url, credentials }), logs: createLogsClient({ region: "us-east-1", endpoint: cw.url }), ...o });
    return createBuildLogs({ store: { getBuild: async (id) => (id === row.id ? (row as unknown as BuildRow) : undefined) }, sourceFor: () => source, cache: createLogCache(dir, limits, 1024 * 1024 * 1024), limits, now: () => clock, backoffBaseMs: 1000, random: () => 1 });
  };
  const start = async () => {
    const { CodeBuildClient: C, StartBuildCommand } = await import("@aws-sdk/client-codebuild");
    const out = await new C({ region: "us-east-1", endpoint: codebuild.url, credentials }).send(new StartBuildCommand({ projectName: "hello-ci" }));
    build = codebuild.builds.get(out.build?.id ?? "") as FakeBuild;
    row = { id: 1, state: "running", external_id: build.id, ended_at: null };
  };
  const append = (lines: readonly string[]) => cw.append(build.logs.groupName as string, build.logs.streamName as string, lines);
  const finish = () => {
    finishFakeBuild(build, "FAILED");
    row = { ...row, state: "failed", ended_at: clock - 60_000 };
  };

  beforeEach(async () => {
    codebuild = await startCodeBuildFake();
    cw = await startLogsFake();
    dir = mkdtempSync(join(tmpdir(), "bg-cwlogs-"));
    clock = Date.now();
    await start();
  });
  afterEach(async () => {
    await codebuild.close();
    await cw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("tails a running build: 20 viewers, one GetLogEvents per 2 s; new lines follow the forward token", async () => {
    const logs = make();
    expect((await logs.after(1, 0, 10)).lines).toEqual([]); // no stream yet: no log yet, not an error
    expect(cw.getLogEventsCalls()).toBe(1);
    append(codebuildStyleLog(3).slice(0, 12));
    clock += 2000;
    const views = await Promise.all(Array.from({ length: 20 }, () => logs.after(1, 0, 100)));
    expect(cw.getLogEventsCalls()).toBe(2);
    for (const v of views) expect(v.total).toBe(12);
    expect(views[0]?.lines[10]).toEqual({ n: 11, text: "[Container] 2026/12/07 10:00:06.123456 Entering phase BUILD" });
    append(["more"]);
    clock += 1000;
    await Promise.all(Array.from({ length: 20 }, () => logs.after(1, 12, 100)));
    expect(cw.getLogEventsCalls()).toBe(2);
    clock += 1000;
    const later = await logs.after(1, 12, 100);
    expect(later.lines).toEqual([{ n: 13, text: "more" }]);
    const sent = cw.calls.filter((c) => c.op === "GetLogEvents").map((c) => c.body);
    expect(sent[0]).toMatchObject({ logGroupName: "/aws/codebuild/hello-ci", logStreamName: build.logs.streamName, startFromHead: true });
    expect(sent[0]?.nextToken).toBeUndefined();
    expect(sent[1]?.nextToken).toBeUndefined(); // the stream had no events yet: still from the head
    expect(sent[2]?.nextToken).toMatch(/^f\//); // then from the forward token
    expect(codebuild.calls.filter((c) => c.op === "BatchGetBuilds").length).toBe(1); // the stream's name, asked once
  });

  it("reads a finished 100,000-line log to its end once (pages until the token repeats), then never again", async () => {
    const lines = codebuildStyleLog(100_000 - 18);
    append(lines);
    finish();
    const logs = make();
    const last = await logs.last(1, 500);
    expect(last.complete).toBe(true);
    expect(last.total).toBe(100_000);
    expect(last.lines).toHaveLength(500);
    expect(last.lines.at(-1)).toEqual({ n: 100_000, text: lines.at(-1) });
    const calls = cw.getLogEventsCalls();
    expect(calls).toBe(11); // 10 pages of 10,000 events, then the repeated token
    const tokens = cw.calls.map((c) => c.body.nextToken);
    expect(new Set(tokens).size).toBe(11); // each page from the previous page's forward token
    expect((await logs.after(1, 12, 2)).lines.map((l) => l.text)).toEqual(["<script>alert('log')</script>", "\u001b[90m  ✓ test case 1 passes\u001b[0m (0 ms)"]);
    expect(cw.getLogEventsCalls()).toBe(calls);
    expect((await make().after(1, 0, 1)).lines).toEqual([{ n: 1, text: lines[0] }]); // a restart reads the disk cache
    expect(cw.getLogEventsCalls()).toBe(calls);
  });

  it("throttled: the lines known so far with 'log delayed', backing off; then it catches up", async () => {
    append(["one", "two"]);
    const logs = make();
    expect((await logs.after(1, 0, 10)).total).toBe(2);
    cw.throttle(true);
    append(["three"]);
    clock += 2000;
    const delayed = await logs.after(1, 0, 10);
    expect(delayed).toMatchObject({ total: 2, complete: false, notice: { kind: "delayed", message: "log delayed: CloudWatch Logs is throttling; retrying" } });
    expect(cw.calls.at(-1)?.status).toBe(400);
    const before = cw.getLogEventsCalls();
    clock += 500;
    await logs.after(1, 0, 10);
    expect(cw.getLogEventsCalls()).toBe(before); // backing off
    cw.throttle(false);
    clock += 1000;
    const back = await logs.after(1, 0, 10);
    expect(back.notice).toBeUndefined();
    expect(back.lines.map((l) => l.text)).toEqual(["one", "two", "three"]);
  });

  it("no permission: unavailable, saying which permission", async () => {
    append(["secret"]);
    cw.failWith("AccessDeniedException");
    const s = await make().after(1, 0, 10);
    expect(s.notice).toEqual({ kind: "unavailable", message: "buildgate may not read this log: CloudWatch Logs refused logs:GetLogEvents (AccessDeniedException); the task role needs logs:GetLogEvents (see docs/aws.md)" });
  });

  it("a finished build whose stream is gone: unavailable in plain words", async () => {
    finish();
    const s = await make().after(1, 0, 10);
    expect(s.notice?.kind).toBe("unavailable");
    expect(s.notice?.message).toContain(`the log stream /aws/codebuild/hello-ci / ${build.logs.streamName} does not exist in CloudWatch Logs`);
  });

  it("a project that writes to S3 only: unavailable, naming where the log is", async () => {
    build.logs = { deepLink: "", cloudWatchLogs: { status: "DISABLED" }, s3Logs: { status: "ENABLED", location: "acme-build-logs/hello-ci" } };
    finish();
    const s = await make().after(1, 0, 10);
    expect(s.notice).toEqual({ kind: "unavailable", message: expect.stringContaining("this project writes its build logs to S3 only (s3://acme-build-logs/hello-ci)") });
    expect(cw.getLogEventsCalls()).toBe(0);
  });
});
