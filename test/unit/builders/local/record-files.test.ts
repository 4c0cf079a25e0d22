import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRecord } from "../../../../src/builders/local/record-files.js";
import { failureCause } from "../../../../src/domain/failure-cause.js";
import { fromCodeBuildStatus } from "../../../../src/domain/build-state.js";

const T0 = 1_800_000_000_000;
const record = (build: Record<string, unknown>) => ({
  id: "local:api:00000000-0000-4000-8000-000000000000",
  project: "api",
  buildNumber: 3,
  sourceVersion: "main",
  idempotencyToken: "t",
  status: "FAILED",
  currentPhase: "COMPLETED",
  phases: [{ type: "SUBMITTED", status: "SUCCEEDED", startedAt: T0, endedAt: T0, durationSeconds: 0 }, build, { type: "COMPLETED", startedAt: T0 + 5000 }],
  startedAt: T0,
  endedAt: T0 + 5000,
});

describe("build.json: records with and without phase contexts load, and name their cause", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "bg-record-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    { name: "a record written before contexts were kept", build: { type: "BUILD", status: "FAILED", startedAt: T0, endedAt: T0 + 4000, durationSeconds: 4 }, want: { phase: "BUILD", command: null, reason: null } },
    {
      name: "a record with a failed command's context",
      build: { type: "BUILD", status: "FAILED", startedAt: T0, endedAt: T0 + 4000, durationSeconds: 4, contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: npm test. Reason: exit status 1" }] },
      want: { phase: "BUILD", command: "npm test", reason: "exit status 1" },
    },
  ])("$name", ({ name, build, want }) => {
    const path = join(dir, `${name.replace(/\W+/g, "-")}.json`);
    writeFileSync(path, JSON.stringify(record(build)));
    const loaded = loadRecord(path);
    expect(loaded?.phases).toHaveLength(3);
    expect(failureCause({ state: fromCodeBuildStatus(loaded!.status, loaded!.currentPhase), phases: loaded!.phases })).toEqual(want);
  });
});
