import type { PhaseRecord } from "../../../src/domain/build-snapshot.js";
import { describeBuild, formatDuration, MAX_DESCRIPTION, truncate, type DescribedBuild } from "../../../src/domain/status-description.js";

const T0 = 1_700_000_000_000;
const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe("formatDuration", () => {
  it.each([
    { ms: 0, want: "0s" },
    { ms: 499, want: "0s" },
    { ms: 45 * SECOND, want: "45s" },
    { ms: 59 * SECOND, want: "59s" },
    { ms: 60 * SECOND, want: "1m00s" },
    { ms: 65 * SECOND, want: "1m05s" },
    { ms: 3 * MINUTE + 12 * SECOND, want: "3m12s" },
    { ms: 59 * MINUTE + 59 * SECOND, want: "59m59s" },
    { ms: 60 * MINUTE, want: "1h00m" },
    { ms: 62 * MINUTE + 30 * SECOND, want: "1h02m" },
    { ms: 25 * 60 * MINUTE, want: "25h00m" },
    // Rounded to the nearest second, never negative.
    { ms: 59_600, want: "1m00s" },
    { ms: -5 * SECOND, want: "0s" },
  ])("$ms ms → $want", ({ ms, want }) => {
    expect(formatDuration(ms)).toBe(want);
  });
});

const phase = (type: string, status?: string): PhaseRecord => (status === undefined ? { type } : { type, status });
/** The phases of a build that failed in BUILD: CodeBuild lists the later phases too. */
const FAILED_IN_BUILD: PhaseRecord[] = [
  phase("SUBMITTED", "SUCCEEDED"),
  phase("QUEUED", "SUCCEEDED"),
  phase("PROVISIONING", "SUCCEEDED"),
  phase("DOWNLOAD_SOURCE", "SUCCEEDED"),
  phase("INSTALL", "SUCCEEDED"),
  phase("PRE_BUILD", "SUCCEEDED"),
  phase("BUILD", "FAILED"),
  phase("POST_BUILD", "SUCCEEDED"),
  phase("UPLOAD_ARTIFACTS", "SUCCEEDED"),
  phase("FINALIZING", "SUCCEEDED"),
  phase("COMPLETED"),
];

/** FAILED_IN_BUILD with `failed` (a phase type) ending as `status` with one context. */
const failedWith = (type: string, status: string, statusCode: string, message: string): PhaseRecord[] =>
  FAILED_IN_BUILD.map((p) => (p.type === type ? { type, status, contexts: [{ statusCode, message }] } : p.type === "BUILD" && type !== "BUILD" ? phase("BUILD", "SUCCEEDED") : p));
const commandFailed = (command: string, type = "BUILD") => failedWith(type, "FAILED", "COMMAND_EXECUTION_ERROR", `Error while executing command: ${command}. Reason: exit status 1`);

const build = (over: Partial<DescribedBuild>): DescribedBuild => ({ state: "pending", phases: [], ...over });
const took = (ms: number) => ({ startedAt: T0, endedAt: T0 + ms });

describe("describeBuild", () => {
  it.each<{ name: string; build: DescribedBuild; want: string }>([
    { name: "pending", build: build({ state: "pending" }), want: "Waiting to start" },
    { name: "pending with a start error being retried", build: build({ state: "pending", error: "ThrottlingException: Rate exceeded" }), want: "Waiting to start (retrying: ThrottlingException: Rate exceeded)" },
    { name: "queued", build: build({ state: "queued", currentPhase: "PROVISIONING" }), want: "Build queued" },
    { name: "running in a phase", build: build({ state: "running", currentPhase: "BUILD" }), want: "Building: BUILD phase" },
    { name: "running, phase unknown", build: build({ state: "running" }), want: "Building" },
    { name: "succeeded with times", build: build({ state: "succeeded", ...took(3 * MINUTE + 12 * SECOND) }), want: "Succeeded in 3m12s" },
    { name: "succeeded without times", build: build({ state: "succeeded" }), want: "Succeeded" },
    { name: "succeeded without an end", build: build({ state: "succeeded", startedAt: T0 }), want: "Succeeded" },
    {
      name: "failed: the phase comes from the phases list, not the current phase",
      build: build({ state: "failed", phases: FAILED_IN_BUILD, currentPhase: "COMPLETED", ...took(65 * SECOND) }),
      want: "Failed in BUILD phase after 1m05s",
    },
    { name: "failed in INSTALL", build: build({ state: "failed", phases: [phase("SUBMITTED", "SUCCEEDED"), phase("INSTALL", "CLIENT_ERROR"), phase("BUILD", "FAILED")], ...took(45 * SECOND) }), want: "Failed in INSTALL phase after 45s" },
    { name: "failed, phases unknown: the current phase", build: build({ state: "failed", currentPhase: "POST_BUILD" }), want: "Failed in POST_BUILD phase" },
    { name: "failed, nothing known", build: build({ state: "failed" }), want: "Failed" },
    { name: "failed command: the phase, the command and its exit status", build: build({ state: "failed", phases: commandFailed("npm test"), ...took(65 * SECOND) }), want: "Failed in BUILD: npm test (exit status 1) after 1m05s" },
    { name: "failed command in INSTALL, quotes kept", build: build({ state: "failed", phases: commandFailed(`grep -Fq "Congratulations" index.html`, "INSTALL"), ...took(45 * SECOND) }), want: `Failed in INSTALL: grep -Fq "Congratulations" index.html (exit status 1) after 45s` },
    {
      name: "failed source download: the reason without the status code",
      build: build({ state: "failed", phases: failedWith("DOWNLOAD_SOURCE", "CLIENT_ERROR", "CLIENT_ERROR", "CLIENT_ERROR: repository not found for primary source and source version main"), ...took(3 * SECOND) }),
      want: "Failed in DOWNLOAD_SOURCE: repository not found for primary source and source version main after 3s",
    },
    { name: "failed artifact upload", build: build({ state: "failed", phases: failedWith("UPLOAD_ARTIFACTS", "FAILED", "CLIENT_ERROR", "no matching artifact paths found"), ...took(MINUTE) }), want: "Failed in UPLOAD_ARTIFACTS: no matching artifact paths found after 1m00s" },
    { name: "failed phase with an empty context: as before", build: build({ state: "failed", phases: failedWith("BUILD", "FAILED", "", ""), ...took(65 * SECOND) }), want: "Failed in BUILD phase after 1m05s" },
    { name: "timed out", build: build({ state: "timed_out", phases: [phase("BUILD", "TIMED_OUT")], ...took(62 * MINUTE) }), want: "Timed out in BUILD phase after 1h02m" },
    { name: "timed out, nothing known", build: build({ state: "timed_out" }), want: "Timed out" },
    { name: "timed out (the local runner's context): not 'timed out' twice", build: build({ state: "timed_out", phases: failedWith("BUILD", "TIMED_OUT", "BUILD_TIMED_OUT", "Build has timed out after 60 minutes"), ...took(62 * MINUTE) }), want: "Timed out in BUILD phase after 1h02m" },
    { name: "superseded", build: build({ state: "stopped", supersededBy: "abc1234", ...took(MINUTE) }), want: "Superseded by abc1234" },
    { name: "stopped by someone", build: build({ state: "stopped", ...took(45 * SECOND) }), want: "Stopped after 45s" },
    { name: "stopped before it started", build: build({ state: "stopped" }), want: "Stopped" },
    { name: "errored with the error", build: build({ state: "errored", error: "ResourceNotFoundException: project not found" }), want: "Error: ResourceNotFoundException: project not found" },
    { name: "errored (FAULT) without an error", build: build({ state: "errored", phases: [phase("PROVISIONING", "FAULT")], ...took(30 * SECOND) }), want: "Build error in PROVISIONING phase after 30s" },
    { name: "errored (FAULT) with a context", build: build({ state: "errored", phases: failedWith("BUILD", "FAULT", "FAULT", "spawn /bin/nope ENOENT"), ...took(30 * SECOND) }), want: "Build error in BUILD: spawn /bin/nope ENOENT after 30s" },
    { name: "skipped", build: build({ state: "skipped" }), want: "Not affected by this change" },
  ])("$name", ({ build: b, want }) => {
    expect(describeBuild(b)).toBe(want);
  });

  it("truncates a long error to 140 characters ending in …", () => {
    const error = `AccessDeniedException: ${"x".repeat(300)}`;
    const text = describeBuild(build({ state: "errored", error }));
    expect(text).toHaveLength(MAX_DESCRIPTION);
    expect(text.endsWith("…")).toBe(true);
    expect(text.startsWith("Error: AccessDeniedException: xxx")).toBe(true);
  });

  it("shortens a long command, keeping the phase, the exit status and the time", () => {
    const command = `aws cloudformation package --template-file petstore-api.yaml --s3-bucket ${"b".repeat(80)} --output-template-file petstore-api-output.yaml`;
    const text = describeBuild(build({ state: "failed", phases: commandFailed(command), ...took(65 * SECOND) }));
    expect(text).toHaveLength(MAX_DESCRIPTION);
    expect(text).toMatch(/^Failed in BUILD: aws cloudformation package --template-file petstore-api\.yaml --s3-bucket b+… \(exit status 1\) after 1m05s$/);
  });

  it("shortens a long reason, keeping the time", () => {
    const message = `stat /codebuild/output/src568487777/src/${"deep/".repeat(30)}buildspec.yml: no such file or directory`;
    const text = describeBuild(build({ state: "failed", phases: failedWith("DOWNLOAD_SOURCE", "FAILED", "YAML_FILE_ERROR", message), ...took(2 * SECOND) }));
    expect(text).toHaveLength(MAX_DESCRIPTION);
    expect(text).toMatch(/^Failed in DOWNLOAD_SOURCE: stat \/codebuild\/output\/src568487777\/src\/deep\/.*… after 2s$/);
  });

  it("keeps an error that fits exactly", () => {
    const error = "e".repeat(MAX_DESCRIPTION - "Error: ".length);
    expect(describeBuild(build({ state: "errored", error }))).toBe(`Error: ${error}`);
  });

  it("strips emoji (GitHub rejects 4-byte characters) and collapses whitespace", () => {
    const error = "  deploy 🚀 failed:\n\n\tdisk   full 💥 \r\n see logs 𝐧𝐨𝐰 ";
    expect(describeBuild(build({ state: "errored", error }))).toBe("Error: deploy failed: disk full see logs");
  });

  it("keeps characters of the basic multilingual plane", () => {
    expect(describeBuild(build({ state: "errored", error: "échec — ビルド失敗 ✓" }))).toBe("Error: échec — ビルド失敗 ✓");
  });

  it("strips emoji in a pending build's retry reason and a running phase", () => {
    expect(describeBuild(build({ state: "pending", error: "slow 🐢 down" }))).toBe("Waiting to start (retrying: slow down)");
    expect(describeBuild(build({ state: "running", currentPhase: "🔥\nBUILD" }))).toBe("Building: BUILD phase");
  });
});

describe("describeBuild: property: always at most 140 characters, one line, no 4-byte characters", () => {
  // A small seeded generator (mulberry32) so a failure can be reproduced.
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const PIECES = ["a", "Z", "0", " ", "  ", "\n", "\t", "\r\n", "é", "—", "ビ", "✓", "🚀", "💥", "👩‍👩‍👧", "𝐧", "…", "\u00a0", ":", "/"];
  function text(next: () => number, maxLength: number): string {
    const length = Math.floor(next() * maxLength);
    let s = "";
    for (let i = 0; i < length; i++) s += PIECES[Math.floor(next() * PIECES.length)];
    return s;
  }

  const STATES = ["pending", "running", "failed", "timed_out", "stopped", "errored"] as const;
  const next = random(20261126);
  const cases = Array.from({ length: 500 }, (_, i) => {
    const state = STATES[i % STATES.length] ?? "errored";
    const b: DescribedBuild = {
      state,
      phases: [
        next() < 0.5
          ? phase(text(next, 200), "FAILED")
          : { type: text(next, 40), status: next() < 0.3 ? "TIMED_OUT" : "FAILED", contexts: [{ statusCode: text(next, 30), message: next() < 0.5 ? `Error while executing command: ${text(next, 400)}. Reason: ${text(next, 60)}` : text(next, 400) }] },
      ],
      currentPhase: text(next, 200),
      error: text(next, 1000),
      supersededBy: next() < 0.5 ? text(next, 300) : null,
      startedAt: T0,
      endedAt: T0 + Math.floor(next() * 1e12),
    };
    return b;
  });

  it("holds for 500 random long inputs", () => {
    for (const b of cases) {
      const text = describeBuild(b);
      expect(text.length).toBeLessThanOrEqual(MAX_DESCRIPTION);
      expect(text).not.toMatch(/[\u{10000}-\u{10FFFF}]/u);
      // No surrogate halves left by stripping or truncating.
      expect(text).not.toMatch(/[\uD800-\uDFFF]/);
      expect(text).not.toMatch(/[\n\r\t]|\s\s/);
      expect(text).toBe(text.trim());
    }
  });

  it("truncate keeps the text when it fits and marks the cut when it does not", () => {
    for (let i = 0; i < 200; i++) {
      const input = text(next, 400);
      const out = truncate(input);
      expect(out.length).toBeLessThanOrEqual(MAX_DESCRIPTION);
      const clean = input.replace(/[\u{10000}-\u{10FFFF}]/gu, "").replace(/\s+/g, " ").trim();
      expect(out).toBe(clean.length <= MAX_DESCRIPTION ? clean : `${clean.slice(0, MAX_DESCRIPTION - 1)}…`);
    }
  });
});
