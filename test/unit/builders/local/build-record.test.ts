import { completeBuild, endPhase, enterPhase, interruptRecord, newRecord, toSnapshot } from "../../../../src/builders/local/build-record.js";
import { failedPhase } from "../../../../src/domain/build-snapshot.js";
import { fromCodeBuildStatus } from "../../../../src/domain/build-state.js";

const T0 = 1_800_000_000_000;
const fields = { id: "local:api:00000000-0000-4000-8000-000000000000", project: "api", buildNumber: 7, sourceVersion: "main", idempotencyToken: "t" };

describe("local build records", () => {
  it("start as SUBMITTED (done) and QUEUED (open), which buildgate reads as queued", () => {
    const snap = toSnapshot(newRecord(fields, T0));
    expect(snap).toEqual({
      externalId: fields.id,
      status: "IN_PROGRESS",
      currentPhase: "QUEUED",
      phases: [
        { type: "SUBMITTED", status: "SUCCEEDED", startedAt: T0, endedAt: T0, durationSeconds: 0 },
        { type: "QUEUED", startedAt: T0 },
      ],
      startedAt: T0,
    });
    expect(fromCodeBuildStatus(snap.status, snap.currentPhase)).toBe("queued");
  });

  it("record each phase's status, times and duration; COMPLETED has only its type and start", () => {
    const rec = newRecord(fields, T0);
    endPhase(rec, "SUCCEEDED", T0 + 1000);
    enterPhase(rec, "BUILD", T0 + 1000);
    expect(fromCodeBuildStatus(rec.status, rec.currentPhase)).toBe("running");
    endPhase(rec, "FAILED", T0 + 4400, { statusCode: "COMMAND_EXECUTION_ERROR", message: "boom" });
    completeBuild(rec, "FAILED", T0 + 5000);
    const snap = toSnapshot(rec);
    expect(snap.phases.slice(1)).toEqual([
      { type: "QUEUED", status: "SUCCEEDED", startedAt: T0, endedAt: T0 + 1000, durationSeconds: 1 },
      { type: "BUILD", status: "FAILED", startedAt: T0 + 1000, endedAt: T0 + 4400, durationSeconds: 3, contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: "boom" }] },
      { type: "COMPLETED", startedAt: T0 + 5000 },
    ]);
    expect(snap).toMatchObject({ status: "FAILED", currentPhase: "COMPLETED", endedAt: T0 + 5000 });
    expect(failedPhase(snap.phases)?.type).toBe("BUILD");
  });

  it("a build left running by a dead process becomes FAILED in its open phase, context 'interrupted'", () => {
    const rec = newRecord(fields, T0);
    endPhase(rec, "SUCCEEDED", T0);
    enterPhase(rec, "BUILD", T0 + 1000);
    const snap = toSnapshot(interruptRecord(rec, T0 + 9000));
    expect(snap.status).toBe("FAILED");
    expect(snap.phases.slice(-2)).toEqual([
      { type: "BUILD", status: "FAILED", startedAt: T0 + 1000, endedAt: T0 + 9000, durationSeconds: 8, contexts: [{ statusCode: "INTERRUPTED", message: expect.stringContaining("interrupted") }] },
      { type: "COMPLETED", startedAt: T0 + 9000 },
    ]);
    expect(rec.status).toBe("IN_PROGRESS"); // the original is not changed
  });

  it("leaves a finished build alone", () => {
    const rec = newRecord(fields, T0);
    endPhase(rec, "SUCCEEDED", T0);
    completeBuild(rec, "SUCCEEDED", T0);
    expect(interruptRecord(rec, T0 + 1)).toBe(rec);
  });
});
