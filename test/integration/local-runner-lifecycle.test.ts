import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLocalBuilder, type LocalBuilder } from "../../src/builders/local/local-builder.js";
import type { LocalBuilderOptions } from "../../src/builders/local/local-builder-options.js";
import { BuilderError } from "../../src/domain/builder.js";
import { isAlive, waitUntil } from "../unit/builders/local/process-helpers.js";
import { finished, logOf, pathsOf, phaseList, reached, request, snapshotOf, tempDir } from "./local-runner-helpers.js";

const spec = (...commands: string[]) => `version: 0.2\nphases:\n  build:\n    commands:\n${commands.map((c) => `      - ${JSON.stringify(c)}`).join("\n")}\n`;
// Starts a long sleep and leaves its pid next to the source, so a test can check it was killed.
const SLEEPS = spec('sleep 30 & echo $! > "$CODEBUILD_SRC_DIR/../sleep.pid"; wait');
// Waits until the file named by $GATE exists.
const GATED = spec('while [ ! -e "$GATE" ]; do sleep 0.02; done', "echo through the gate");

const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe("local runner: lifecycle", () => {
  let workDir: string;
  let builders: LocalBuilder[];

  const make = (over: Partial<LocalBuilderOptions> = {}) => {
    const b = createLocalBuilder({ workDir, sources: () => undefined, buildspec: () => spec("echo hi"), ...over });
    builders.push(b);
    return b;
  };
  const sleepPid = (id: string) => Number(readFileSync(join(pathsOf(workDir, id).dir, "sleep.pid"), "utf8"));

  beforeEach(() => {
    workDir = tempDir("local-life");
    builders = [];
  });
  afterEach(async () => {
    await Promise.all(builders.map((b) => b.close()));
    rmSync(workDir, { recursive: true, force: true });
  });

  it("start() returns at once with the build QUEUED; logsUrl comes from the option", async () => {
    const b = make({ buildspec: () => GATED, logsUrl: (id) => `http://board.local/builds/${encodeURIComponent(id)}/log` });
    const gate = join(workDir, "gate");
    const started = await b.start(request({ env: { GATE: gate } }));
    expect(started.logsUrl).toBe(`http://board.local/builds/${encodeURIComponent(started.buildId)}/log`);
    const { snapshots } = await b.poll([started.buildId]);
    expect(snapshots[0]?.status).toBe("IN_PROGRESS");
    expect(snapshots[0]?.logsUrl).toBe(started.logsUrl);
    await reached(b, started.buildId, "BUILD");
    writeFileSync(gate, "");
    expect((await finished(b, started.buildId)).status).toBe("SUCCEEDED");
  });

  it("times out: the process group is killed and the build ends TIMED_OUT in its phase", async () => {
    const b = make({ buildspec: () => SLEEPS, timeoutMs: 400 });
    const t0 = Date.now();
    const { buildId } = await b.start(request());
    const snap = await finished(b, buildId);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(snap.status).toBe("TIMED_OUT");
    expect(phaseList(snap).slice(4)).toEqual(["INSTALL:SUCCEEDED", "PRE_BUILD:SUCCEEDED", "BUILD:TIMED_OUT", "FINALIZING:SUCCEEDED", "COMPLETED"]);
    expect(snap.phases[6]?.contexts).toEqual([{ statusCode: "BUILD_TIMED_OUT", message: "Build has timed out after 0.4 seconds" }]);
    await waitUntil(() => !isAlive(sleepPid(buildId)));
    expect(logOf(workDir, buildId)).toContain("Phase complete: BUILD State: TIMED_OUT");
  });

  it("stop() kills the build and records STOPPED; stopping it again is fine, an unknown id is not", async () => {
    const b = make({ buildspec: () => SLEEPS });
    const { buildId } = await b.start(request());
    await waitUntil(() => sleepPid(buildId) > 0);
    await b.stop(buildId);
    const snap = await snapshotOf(b, buildId);
    expect(snap.status).toBe("STOPPED");
    expect(phaseList(snap).slice(6)).toEqual(["BUILD:STOPPED", "FINALIZING:SUCCEEDED", "COMPLETED"]);
    await waitUntil(() => !isAlive(sleepPid(buildId)));
    await b.stop(buildId);
    expect(await errorOf(b.stop("local:demo:00000000-0000-4000-8000-000000000000"))).toMatchObject({ retryable: false });
    expect(await errorOf(b.stop("not-a-local-id"))).toBeInstanceOf(BuilderError);
  });

  it("runs at most `concurrency` builds: the third waits QUEUED until a slot frees up", async () => {
    const b = make({ buildspec: () => GATED, concurrency: 2 });
    const gate = join(workDir, "gate");
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await b.start(request({ env: { GATE: gate } }))).buildId);
    const [first, second, third] = ids as [string, string, string];
    await reached(b, first, "BUILD");
    await reached(b, second, "BUILD");
    await new Promise((r) => setTimeout(r, 100));
    const waiting = await snapshotOf(b, third);
    expect(waiting.currentPhase).toBe("QUEUED");
    expect(phaseList(waiting)).toEqual(["SUBMITTED:SUCCEEDED", "QUEUED"]);
    writeFileSync(gate, "");
    const snaps = await Promise.all(ids.map((id) => finished(b, id)));
    expect(snaps.map((s) => s.status)).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    const queuedUntil = snaps[2]?.phases[1]?.endedAt as number;
    expect(queuedUntil).toBeGreaterThanOrEqual(Math.min(...snaps.slice(0, 2).map((s) => s.endedAt as number)));
  });

  it("a build stopped while QUEUED never runs", async () => {
    const b = make({ buildspec: () => GATED, concurrency: 1 });
    const gate = join(workDir, "gate");
    const running = (await b.start(request({ env: { GATE: gate } }))).buildId;
    const queued = (await b.start(request({ env: { GATE: gate } }))).buildId;
    await reached(b, running, "BUILD");
    await b.stop(queued);
    const snap = await snapshotOf(b, queued);
    expect(phaseList(snap)).toEqual(["SUBMITTED:SUCCEEDED", "QUEUED:STOPPED", "FINALIZING:SUCCEEDED", "COMPLETED"]);
    expect(snap.status).toBe("STOPPED");
    writeFileSync(gate, "");
    expect((await finished(b, running)).status).toBe("SUCCEEDED");
  });

  it("caps the output: past maxLogBytes it is dropped after one marker line, and the build goes on", async () => {
    const b = make({ buildspec: () => spec("head -c 200000 /dev/zero | tr '\\0' x; echo", "echo dropped-too"), maxLogBytes: 1000 });
    const { buildId } = await b.start(request());
    expect((await finished(b, buildId)).status).toBe("SUCCEEDED");
    const log = logOf(workDir, buildId);
    expect(log).toContain(`\n${"x".repeat(1000)}\n[Container]`);
    expect(log).not.toContain("x".repeat(1001));
    expect(log.match(/Output truncated: the build printed more than 1000 bytes; further output is dropped/g)).toHaveLength(1);
    expect(log).not.toContain("\ndropped-too");
    expect(log).toContain("Running command echo dropped-too");
    expect(log).toContain("Phase complete: BUILD State: SUCCEEDED");
    expect(statSync(pathsOf(workDir, buildId).log).size).toBeLessThan(6000);
  });

  it("the same idempotency token returns the same build, even after a restart; another request with it is refused", async () => {
    const b = make();
    const req = request();
    const first = await b.start(req);
    expect(await b.start(req)).toEqual(first);
    await finished(b, first.buildId);
    expect(await make().start(req)).toEqual(first);
    expect(readdirSync(workDir).filter((d) => !d.startsWith("."))).toHaveLength(1);
    expect(await errorOf(b.start({ ...req, sourceVersion: "refs/heads/other" }))).toMatchObject({ retryable: false, message: expect.stringContaining("different parameters") });
  });

  it("answers polls after a restart from build.json; a build left running by a dead process is FAILED 'interrupted'", async () => {
    const before = make({ buildspec: () => SLEEPS });
    const done = (await make().start(request())).buildId;
    const doneSnap = await finished(builders[1] as LocalBuilder, done);
    const running = (await before.start(request())).buildId;
    await reached(before, running, "BUILD");

    // A second process on the same folder: it runs neither build, as after a crash and restart.
    const after = make();
    const { snapshots, notFound } = await after.poll([done, running, "local:demo:00000000-0000-4000-8000-000000000000", "bogus"]);
    expect(notFound).toEqual(["local:demo:00000000-0000-4000-8000-000000000000", "bogus"]);
    expect(snapshots[0]).toEqual(doneSnap);
    expect(snapshots[1]?.status).toBe("FAILED");
    expect(phaseList(snapshots[1] ?? (await snapshotOf(after, running))).slice(-2)).toEqual(["BUILD:FAILED", "COMPLETED"]);
    expect(snapshots[1]?.phases.at(-2)?.contexts).toEqual([{ statusCode: "INTERRUPTED", message: expect.stringContaining("interrupted") }]);
    expect(JSON.parse(readFileSync(pathsOf(workDir, running).record, "utf8")).status).toBe("FAILED");
  });

  it("close() kills running builds, records them FAILED 'interrupted', and refuses new ones (retryable)", async () => {
    const b = make({ buildspec: () => SLEEPS });
    const { buildId } = await b.start(request());
    await waitUntil(() => sleepPid(buildId) > 0);
    await b.close();
    await waitUntil(() => !isAlive(sleepPid(buildId)));
    const snap = await snapshotOf(make(), buildId);
    expect(snap.status).toBe("FAILED");
    expect(snap.phases.find((p) => p.type === "BUILD")?.contexts?.[0]?.statusCode).toBe("INTERRUPTED");
    expect(await errorOf(b.start(request()))).toMatchObject({ retryable: true });
  });

  it("refuses what the gateway says to refuse (an untrusted pull request), for good, before creating anything", async () => {
    const b = make({ refuse: (r) => (r.route === "pr-from-fork" ? "untrusted pull request: local builds need the ok-to-test label" : undefined) });
    const err = await errorOf(b.start(request({ route: "pr-from-fork" })));
    expect(err).toBeInstanceOf(BuilderError);
    expect(err).toMatchObject({ retryable: false, message: "untrusted pull request: local builds need the ok-to-test label" });
    expect(readdirSync(workDir)).toEqual([]);
  });

  it("refuses a route with neither a source nor a buildspec, and an invalid project name", async () => {
    const b = make({ buildspec: () => undefined });
    expect(await errorOf(b.start(request({ route: "nowhere" })))).toMatchObject({ retryable: false, message: "the local runner has no source and no buildspec for route nowhere" });
    expect(await errorOf(make().start(request({ project: "../escape" })))).toMatchObject({ retryable: false });
  });

  it("a runner fault (a shell that cannot start) ends the build FAULT in its phase, not hanging", async () => {
    const b = make({ shell: "/nonexistent/bash" });
    const { buildId } = await b.start(request());
    const snap = await finished(b, buildId);
    expect(snap.status).toBe("FAULT");
    expect(phaseList(snap).slice(6)).toEqual(["BUILD:FAULT", "FINALIZING:SUCCEEDED", "COMPLETED"]);
    expect(snap.phases[6]?.contexts?.[0]?.message).toContain("ENOENT");
  });

  it("polls at most maxPollBatch (100) ids a call", async () => {
    const b = make();
    expect(b.maxPollBatch).toBe(100);
    expect(await b.poll([])).toEqual({ snapshots: [], notFound: [] });
    expect(await errorOf(b.poll(Array.from({ length: 101 }, (_, i) => `id-${i}`)))).toBeInstanceOf(BuilderError);
  });

  describe("git sources", () => {
    let repo: string;
    let shas: string[];
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args], { cwd: repo, encoding: "utf8" }).trim();

    beforeEach(() => {
      repo = tempDir("repo");
      git("init", "--quiet", "-b", "main");
      writeFileSync(join(repo, "buildspec.yml"), spec("cat version.txt", 'echo "resolved=$CODEBUILD_RESOLVED_SOURCE_VERSION head=$(git rev-parse HEAD)"'));
      shas = [];
      for (const version of ["one", "two"]) {
        writeFileSync(join(repo, "version.txt"), `${version}\n`);
        git("add", ".");
        git("commit", "--quiet", "-m", version);
        shas.push(git("rev-parse", "HEAD"));
      }
    });
    afterEach(() => rmSync(repo, { recursive: true, force: true }));

    it.each([
      { name: "the request's sha", req: (sha: string) => ({ sha }) },
      { name: "a ref^{sha} sourceVersion", req: (sha: string) => ({ sourceVersion: `refs/heads/main^{${sha}}` }) },
    ])("clones the repository and checks out the first commit from $name", async ({ req }) => {
      const first = shas[0] as string;
      const b = make({ sources: () => ({ git: repo }), buildspec: () => undefined });
      const { buildId } = await b.start(request(req(first)));
      const snap = await finished(b, buildId);
      expect(snap.status).toBe("SUCCEEDED");
      expect(snap.resolvedSourceVersion).toBe(first);
      const log = logOf(workDir, buildId);
      expect(log).toContain("\none\n");
      expect(log).toContain(`\nresolved=${first} head=${first}\n`);
    });

    it("fails DOWNLOAD_SOURCE (CLIENT_ERROR) for a commit the repository does not have", async () => {
      const b = make({ sources: () => ({ git: repo }), buildspec: () => undefined });
      const { buildId } = await b.start(request({ sha: "0".repeat(40) }));
      const snap = await finished(b, buildId);
      expect(snap.phases[3]).toMatchObject({ type: "DOWNLOAD_SOURCE", status: "FAILED", contexts: [{ statusCode: "CLIENT_ERROR", message: expect.stringContaining(`cannot check out ${"0".repeat(40)}`) }] });
    });
  });
});
