import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createLocalBuilder, type LocalBuilder } from "../../src/builders/local/local-builder.js";
import type { LocalBuilderOptions } from "../../src/builders/local/local-builder-options.js";
import { BuilderError } from "../../src/domain/builder.js";
import { fromCodeBuildStatus } from "../../src/domain/build-state.js";
import { failureCause } from "../../src/domain/failure-cause.js";
import { describeBuild } from "../../src/domain/status-description.js";
import { FIXTURES, finished, logLines, logOf, pathsOf, phaseList, request, tempDir } from "./local-runner-helpers.js";

// The runner against real buildspec files (test/fixtures/local/<route>/buildspec.yml), real bash,
// real folders: what a newcomer's first build goes through.
describe("local runner: buildspec 0.2 semantics", () => {
  let workDir: string;
  let builders: LocalBuilder[];

  const make = (over: Partial<LocalBuilderOptions> = {}) => {
    const b = createLocalBuilder({ workDir, sources: (r) => ({ path: join(FIXTURES, r.route ?? "ok") }), ...over });
    builders.push(b);
    return b;
  };
  const run = async (b: LocalBuilder, route: string, over = {}) => {
    const { buildId } = await b.start(request({ route, ...over }));
    return { id: buildId, snap: await finished(b, buildId) };
  };

  beforeEach(() => {
    workDir = tempDir("local");
    builders = [];
  });
  afterEach(async () => {
    await Promise.all(builders.map((b) => b.close()));
    rmSync(workDir, { recursive: true, force: true });
  });

  it("runs every phase in CodeBuild's order and records them as CodeBuild does", async () => {
    const { id, snap } = await run(make(), "ok");
    expect(id).toMatch(/^local:demo:[0-9a-f-]{36}$/);
    expect(snap.status).toBe("SUCCEEDED");
    expect(snap.currentPhase).toBe("COMPLETED");
    expect(phaseList(snap)).toEqual([
      "SUBMITTED:SUCCEEDED", "QUEUED:SUCCEEDED", "PROVISIONING:SUCCEEDED", "DOWNLOAD_SOURCE:SUCCEEDED", "INSTALL:SUCCEEDED",
      "PRE_BUILD:SUCCEEDED", "BUILD:SUCCEEDED", "POST_BUILD:SUCCEEDED", "UPLOAD_ARTIFACTS:SUCCEEDED", "FINALIZING:SUCCEEDED", "COMPLETED",
    ]);
    for (const p of snap.phases.slice(0, -1)) {
      expect(p.startedAt).toBeLessThanOrEqual(p.endedAt as number);
      expect(p.durationSeconds).toBe(Math.round(((p.endedAt as number) - (p.startedAt as number)) / 1000));
    }
    expect(Object.keys(snap.phases[snap.phases.length - 1] as object)).toEqual(["type", "startedAt"]);
    expect(snap.startedAt).toBeLessThanOrEqual(snap.endedAt as number);
  });

  it("runs all commands in one shell: cd, exported and plain variables carry across commands and phases", async () => {
    const { id } = await run(make(), "ok");
    const out = logOf(workDir, id);
    expect(out).toContain("\ninstall in src\n");
    expect(out).toContain("\npre_build in out with app-1\n");
    expect(out).toContain("\nbuild counter 2\n");
    expect(out).toContain("\nmulti-line command sees app.txt\n");
    expect(out).toContain("\nbuild finally succeeding=1\n");
    expect(out).toContain("\npost_build succeeding=1\n");
  });

  it("writes CodeBuild-style headers around the commands' output", async () => {
    const { id } = await run(make({ now: () => Date.UTC(2026, 10, 26, 10, 0, 0) }), "ok");
    const out = logOf(workDir, id);
    expect(out).toMatch(/^\[Container\] 2026\/11\/26 10:00:00 Running command echo "install in \$\(basename "\$PWD"\)"\ninstall in src\n/m);
    const lines = logLines(workDir, id);
    const at = (text: string) => lines.indexOf(text);
    expect(at("> Entering phase INSTALL")).toBeGreaterThan(at("> Phase complete: DOWNLOAD_SOURCE State: SUCCEEDED"));
    expect(at("> Phase complete: INSTALL State: SUCCEEDED")).toBeLessThan(at("> Entering phase PRE_BUILD"));
    expect(at("> Phase context status code:  Message: ")).toBeGreaterThan(0);
    expect(at("> Phases found in YAML: 4")).toBeGreaterThan(0);
    expect(at("> Entering phase UPLOAD_ARTIFACTS")).toBeGreaterThan(at("> Phase complete: POST_BUILD State: SUCCEEDED"));
    // The log is complete by the time a poll says the build finished.
    expect(out.endsWith("Phase complete: FINALIZING State: SUCCEEDED\n[Container] 2026/11/26 10:00:00 Phase context status code:  Message: \n[Container] 2026/11/26 10:00:00 Build succeeded\n")).toBe(true);
  });

  it("records env.exported-variables as they were at the end (unset ones left out)", async () => {
    const { snap, id } = await run(make(), "ok");
    expect(snap.exportedVariables).toEqual({ ARTIFACT_NAME: "app-1", GREETING: "hello" });
    expect(JSON.parse(readFileSync(pathsOf(workDir, id).record, "utf8")).exportedVariables).toEqual({ ARTIFACT_NAME: "app-1", GREETING: "hello" });
  });

  it("collects artifacts.files relative to base-directory into the build's artifacts folder", async () => {
    const { id } = await run(make(), "ok");
    const artifacts = pathsOf(workDir, id).artifacts;
    expect(readdirSync(artifacts, { recursive: true }).map(String).sort()).toEqual(["app.txt", "nested", "nested/app-1.txt"]);
    expect(readFileSync(join(artifacts, "nested/app-1.txt"), "utf8")).toBe("hello from app-1\n");
  });

  it("a failed BUILD skips its remaining commands, runs finally and POST_BUILD, and flips CODEBUILD_BUILD_SUCCEEDING", async () => {
    const { id, snap } = await run(make(), "build-fails");
    expect(snap.status).toBe("FAILED");
    expect(phaseList(snap).slice(4)).toEqual(["INSTALL:SUCCEEDED", "PRE_BUILD:SUCCEEDED", "BUILD:FAILED", "POST_BUILD:SUCCEEDED", "UPLOAD_ARTIFACTS:SUCCEEDED", "FINALIZING:SUCCEEDED", "COMPLETED"]);
    expect(snap.phases.find((p) => p.type === "BUILD")?.contexts).toEqual([{ statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: test -f missing.txt. Reason: exit status 1" }]);
    // The cause people see, read from the local runner's own contexts as from CodeBuild's.
    const state = fromCodeBuildStatus(snap.status, snap.currentPhase);
    expect(failureCause({ state, phases: snap.phases })).toEqual({ phase: "BUILD", command: "test -f missing.txt", reason: "exit status 1" });
    expect(describeBuild({ state, phases: snap.phases })).toBe("Failed in BUILD: test -f missing.txt (exit status 1)");
    const out = logOf(workDir, id);
    expect(out).toContain("\ninstall succeeding=1\n");
    expect(out).toContain("Command did not exit successfully test -f missing.txt exit status 1\n");
    expect(out).not.toContain("\nnever-after-failure");
    expect(out).toContain("\nbuild finally succeeding=0\n");
    expect(out).toContain("\npost_build succeeding=0\n");
    expect(readdirSync(pathsOf(workDir, id).artifacts)).toEqual(["report.txt"]);
  });

  it("a failed INSTALL (on-failure ABORT) skips PRE_BUILD, BUILD and POST_BUILD; finally and UPLOAD_ARTIFACTS still run", async () => {
    const { id, snap } = await run(make(), "install-fails");
    expect(snap.status).toBe("FAILED");
    expect(phaseList(snap).slice(4)).toEqual(["INSTALL:FAILED", "UPLOAD_ARTIFACTS:SUCCEEDED", "FINALIZING:SUCCEEDED", "COMPLETED"]);
    expect(snap.phases[4]?.contexts?.[0]?.message).toBe("Error while executing command: exit 7. Reason: exit status 7");
    const out = logOf(workDir, id);
    expect(out).toContain("\ninstall-started\n");
    expect(out).toContain("\ninstall finally succeeding=0\n");
    expect(out).not.toMatch(/never-after-exit|pre_build-ran|\nbuild-ran|post_build-ran/);
  });

  it("a failed PRE_BUILD skips BUILD and POST_BUILD", async () => {
    const spec = "version: 0.2\nphases:\n  pre_build:\n    commands: [\"false\"]\n  build:\n    commands: [echo build-ran]\n  post_build:\n    commands: [echo post-ran]";
    const { id, snap } = await run(make({ sources: () => undefined, buildspec: () => spec }), "inline");
    expect(phaseList(snap).slice(4, 7)).toEqual(["INSTALL:SUCCEEDED", "PRE_BUILD:FAILED", "UPLOAD_ARTIFACTS:SUCCEEDED"]);
    expect(logOf(workDir, id)).not.toMatch(/build-ran|post-ran/);
  });

  it("on-failure CONTINUE skips the rest of the failed phase but goes on to the next phases; the build still fails", async () => {
    const { id, snap } = await run(make(), "on-failure-continue");
    expect(snap.status).toBe("FAILED");
    expect(phaseList(snap).slice(4, 8)).toEqual(["INSTALL:FAILED", "PRE_BUILD:SUCCEEDED", "BUILD:SUCCEEDED", "POST_BUILD:SUCCEEDED"]);
    const out = logOf(workDir, id);
    expect(out).not.toContain("never-after-false");
    expect(out).toContain("\npre_build after install succeeding=0\n");
    expect(out).toContain("\nbuild-ran\n");
  });

  it("gives the build only its declared variables, the CODEBUILD_* ones and PATH/HOME/LANG: no secret of the gateway leaks", async () => {
    process.env.BUILDGATE_LOCAL_TEST_SECRET = "s3cr3t";
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await run(make(), "env", { sha: "0123456789abcdef0123456789abcdef01234567", env: { OVERRIDDEN: "request", FROM_REQUEST: "r", CODEBUILD_BUILD_ID: "forged" } });
    } finally {
      delete process.env.BUILDGATE_LOCAL_TEST_SECRET;
    }
    const { id, snap } = result;
    const env = Object.fromEntries(readFileSync(join(pathsOf(workDir, id).dir, "env.txt"), "utf8").trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    expect(env.BUILDGATE_LOCAL_TEST_SECRET).toBeUndefined();
    const allowed = ["PATH", "HOME", "LANG", "FROM_SPEC", "OVERRIDDEN", "NUMBER", "FROM_REQUEST", "PWD", "SHLVL", "_", "OLDPWD"];
    expect(Object.keys(env).filter((k) => !allowed.includes(k) && !k.startsWith("CODEBUILD_"))).toEqual([]);
    expect(env).toMatchObject({
      FROM_SPEC: "spec",
      OVERRIDDEN: "request",
      NUMBER: "42",
      FROM_REQUEST: "r",
      PATH: process.env.PATH,
      CODEBUILD_SRC_DIR: pathsOf(workDir, id).src,
      CODEBUILD_BUILD_ID: id,
      CODEBUILD_BUILD_NUMBER: "1",
      CODEBUILD_SOURCE_VERSION: "refs/heads/main",
      CODEBUILD_RESOLVED_SOURCE_VERSION: "0123456789abcdef0123456789abcdef01234567",
      CODEBUILD_BUILD_SUCCEEDING: "1",
      CODEBUILD_START_TIME: String(snap.startedAt),
      CODEBUILD_INITIATOR: "buildgate",
    });
    expect(snap.resolvedSourceVersion).toBe("0123456789abcdef0123456789abcdef01234567");
  });

  it("numbers builds per project", async () => {
    const b = make();
    const first = await run(b, "ok");
    const second = await run(b, "ok");
    const other = await run(b, "ok", { project: "other" });
    expect([first.snap, second.snap, other.snap].map((s) => s.exportedVariables?.ARTIFACT_NAME)).toEqual(["app-1", "app-2", "app-1"]);
  });

  it("builds each time in a clean folder", async () => {
    const spec = "version: 0.2\nphases:\n  build:\n    commands:\n      - test ! -e leftover\n      - touch leftover";
    const b = make({ buildspec: () => spec });
    expect((await run(b, "ok")).snap.status).toBe("SUCCEEDED");
    expect((await run(b, "ok")).snap.status).toBe("SUCCEEDED");
  });

  it("fails DOWNLOAD_SOURCE with YAML_FILE_ERROR for a buildspec version other than 0.2", async () => {
    const { id, snap } = await run(make(), "version-01");
    expect(snap.status).toBe("FAILED");
    expect(phaseList(snap).slice(3)).toEqual(["DOWNLOAD_SOURCE:FAILED", "FINALIZING:SUCCEEDED", "COMPLETED"]);
    const message = "buildspec version 0.1 is not supported: the local runner runs buildspec version 0.2 only";
    expect(snap.phases[3]?.contexts).toEqual([{ statusCode: "YAML_FILE_ERROR", message }]);
    expect(logOf(workDir, id)).toContain(`Phase context status code: YAML_FILE_ERROR Message: ${message}`);
    expect(logOf(workDir, id)).not.toContain("Running command");
  });

  it("refuses an inline buildspec of another version at start, for good (non-retryable)", async () => {
    const b = make({ buildspec: () => "version: 0.1\nphases: {}" });
    const err = await b.start(request()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuilderError);
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining("buildspec version 0.1 is not supported") });
    expect(readdirSync(workDir)).toEqual([]);
  });

  it("fails DOWNLOAD_SOURCE when the source has no buildspec.yml, or the source folder does not exist", async () => {
    const b = make({ sources: (r) => ({ path: join(FIXTURES, r.route ?? "") }) });
    const noSpec = (await run(b, "no-buildspec")).snap;
    expect(noSpec.phases[3]).toMatchObject({ type: "DOWNLOAD_SOURCE", status: "FAILED", contexts: [{ statusCode: "YAML_FILE_ERROR", message: expect.stringContaining("buildspec.yml: no such file") }] });
    const missing = (await run(b, "does-not-exist")).snap;
    expect(missing.phases[3]).toMatchObject({ type: "DOWNLOAD_SOURCE", status: "FAILED", contexts: [{ statusCode: "CLIENT_ERROR", message: expect.stringContaining("cannot copy the source") }] });
  });

  it("fails UPLOAD_ARTIFACTS (CLIENT_ERROR) when no file matches, as CodeBuild does", async () => {
    const spec = "version: 0.2\nphases:\n  build:\n    commands: [echo hi]\nartifacts:\n  files: ['*.jar']";
    const { snap } = await run(make({ sources: () => undefined, buildspec: () => spec }), "inline");
    expect(snap.status).toBe("FAILED");
    expect(snap.phases.find((p) => p.type === "UPLOAD_ARTIFACTS")).toMatchObject({ status: "FAILED", contexts: [{ statusCode: "CLIENT_ERROR", message: "no matching artifact paths found" }] });
  });

  it("keeps a build folder with src, artifacts, build.log and build.json", async () => {
    const { id } = await run(make(), "ok");
    const paths = pathsOf(workDir, id);
    expect(paths.dir).not.toContain(":");
    for (const p of [paths.src, paths.artifacts, paths.log, paths.record]) expect(existsSync(p)).toBe(true);
  });
});
