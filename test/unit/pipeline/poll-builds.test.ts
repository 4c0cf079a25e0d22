import { pino } from "pino";
import { BuilderError, type PollResult } from "../../../src/domain/builder.js";
import type { BuildState } from "../../../src/domain/build-state.js";
import { pollBuilds } from "../../../src/pipeline/poll-builds.js";
import { JOB } from "../../../src/pipeline/job-kinds.js";
import type { BuildPatch, BuildRow, NewJob, Store } from "../../../src/store/store.js";
import { RecordingBuilder } from "../../fakes/recording-builder.js";
import { buildRow } from "../../helpers/store-fixtures.js";

const NOW = 1_700_000_000_000;
const MINUTE = 60_000;

/** The store calls pollBuilds makes, recorded; the write of a build in `moved` is refused (it left the expected states meanwhile). */
class RecordingStore implements Pick<Store, "updateBuild" | "markPolled"> {
  readonly updates: Array<{ id: number; expected: readonly BuildState[]; patch: BuildPatch; now: number; followUps: readonly NewJob[] | undefined }> = [];
  readonly polled: number[] = [];
  readonly moved = new Set<number>();
  async updateBuild(id: number, expected: readonly BuildState[], patch: BuildPatch, now: number, followUps?: readonly NewJob[]): Promise<boolean> {
    this.updates.push({ id, expected, patch, now, followUps });
    return !this.moved.has(id);
  }
  async markPolled(ids: readonly number[]): Promise<void> {
    this.polled.push(...ids);
  }
}

/** A RecordingBuilder whose polls of batches containing one of `failing` throw. */
class FlakyBuilder extends RecordingBuilder {
  constructor(private readonly failing: ReadonlySet<string>) {
    super();
  }
  override async poll(ids: readonly string[]): Promise<PollResult> {
    if (ids.some((id) => this.failing.has(id))) {
      this.polls.push([...ids]);
      throw new BuilderError("ThrottlingException: Rate exceeded", true);
    }
    return super.poll(ids);
  }
}

/** A logger whose lines the test can read. */
function recordingLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "debug" }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

/**
 * Starts `n` builds on the builder (CodeBuild says IN_PROGRESS / SUBMITTED) and returns their
 * rows as the store holds them after the last poll: queued, nothing to change.
 */
async function inFlight(builder: RecordingBuilder, n: number): Promise<BuildRow[]> {
  const rows: BuildRow[] = [];
  for (let i = 1; i <= n; i++) {
    const { buildId } = await builder.start({ project: "api-ci", sourceVersion: "a".repeat(40), env: {}, idempotencyToken: `t${i}` });
    rows.push(buildRow({ id: i, external_id: buildId, state: "queued", external_status: "IN_PROGRESS", current_phase: "SUBMITTED", phases: "[]", started_at: NOW - MINUTE }));
  }
  return rows;
}

function setup(builder = new RecordingBuilder()) {
  const store = new RecordingStore();
  const { log, lines } = recordingLog();
  return { builder, store, lines, deps: { store, builder, log, now: () => NOW } };
}

describe("pollBuilds: batching", () => {
  it("polls 250 in-flight builds in exactly 3 calls of at most 100 ids, each build once", async () => {
    const { builder, store, deps } = setup();
    const builds = await inFlight(builder, 250);

    const summary = await pollBuilds(deps, builds);

    expect(builder.polls).toHaveLength(3);
    expect(builder.polls.every((ids) => ids.length <= 100)).toBe(true);
    expect(builder.polls.map((ids) => ids.length).sort((a, b) => b - a)).toEqual([100, 100, 50]);
    expect(builder.polls.flat().sort()).toEqual(builds.map((b) => b.external_id).sort());
    expect(summary).toEqual({ builds: 250, calls: 3, changed: 0, failedCalls: 0 });
    expect(store.updates).toEqual([]);
  });

  it("polls 10,000 in-flight builds in 100 calls", async () => {
    const { builder, deps } = setup();
    const builds = await inFlight(builder, 10_000);

    const summary = await pollBuilds(deps, builds);

    expect(builder.polls).toHaveLength(100);
    expect(builder.polls.every((ids) => ids.length === 100)).toBe(true);
    expect(new Set(builder.polls.flat()).size).toBe(10_000);
    expect(summary).toMatchObject({ builds: 10_000, calls: 100, failedCalls: 0 });
  });

  it("skips builds without an external id and polls a build listed twice once", async () => {
    const { builder, deps } = setup();
    const [a, b] = await inFlight(builder, 2);
    if (!a || !b) throw new Error("expected two builds");
    const summary = await pollBuilds(deps, [a, b, { ...a }, buildRow({ id: 99, state: "pending", external_id: null })]);
    expect(builder.polls).toEqual([[a.external_id, b.external_id]]);
    expect(summary).toMatchObject({ builds: 2, calls: 1 });
  });

  it("makes no call for no builds", async () => {
    const { builder, deps } = setup();
    expect(await pollBuilds(deps, [])).toEqual({ builds: 0, calls: 0, changed: 0, failedCalls: 0 });
    expect(builder.polls).toEqual([]);
  });
});

describe("pollBuilds: a failing batch", () => {
  it("is counted and logged, does not throw, and the other batches are still stored", async () => {
    const builder = new FlakyBuilder(new Set(["api-ci:150"]));
    const { store, lines, deps } = setup(builder);
    const builds = await inFlight(builder, 250);
    builder.advance("api-ci:1", { status: "SUCCEEDED", currentPhase: "COMPLETED", endedAt: NOW }); // batch 1
    builder.advance("api-ci:160", { status: "FAILED", currentPhase: "COMPLETED", endedAt: NOW }); // batch 2 (fails)
    builder.advance("api-ci:250", { currentPhase: "BUILD" }); // batch 3

    const summary = await pollBuilds(deps, builds);

    expect(summary).toEqual({ builds: 250, calls: 3, changed: 2, failedCalls: 1 });
    expect(store.updates.map((u) => [u.id, u.patch.state])).toEqual(
      expect.arrayContaining([
        [1, "succeeded"],
        [250, "running"],
      ]),
    );
    expect(store.updates).toHaveLength(2);
    const warnings = lines.filter((l) => l.msg === "poll failed; will retry next cycle");
    expect(warnings).toEqual([expect.objectContaining({ level: 40, builds: 100, err: "ThrottlingException: Rate exceeded" })]);
  });

  it("all batches failing resolves with every call counted", async () => {
    const builder = new FlakyBuilder(new Set(Array.from({ length: 300 }, (_, i) => `api-ci:${i + 1}`)));
    const { store, deps } = setup(builder);
    const summary = await pollBuilds(deps, await inFlight(builder, 300));
    expect(summary).toEqual({ builds: 300, calls: 3, changed: 0, failedCalls: 3 });
    expect(store.updates).toEqual([]);
  });
});

describe("pollBuilds: changes", () => {
  it("stores a change with a report_status follow-up in the same call", async () => {
    const { builder, store, deps } = setup();
    const [build] = await inFlight(builder, 1);
    if (!build?.external_id) throw new Error("expected a build");
    const phases = [{ type: "SUBMITTED", status: "SUCCEEDED" }, { type: "BUILD", status: "FAILED" }, { type: "COMPLETED" }];
    builder.advance(build.external_id, { status: "FAILED", currentPhase: "COMPLETED", phases, endedAt: NOW - 1000, resolvedSourceVersion: "b".repeat(40) });

    const summary = await pollBuilds(deps, [build]);

    expect(summary.changed).toBe(1);
    const snap = builder.snapshots.get(build.external_id);
    expect(store.updates).toEqual([
      {
        id: build.id,
        expected: ["queued", "running"],
        patch: {
          state: "failed",
          external_status: "FAILED",
          current_phase: "COMPLETED",
          phases: JSON.stringify(phases),
          started_at: snap?.startedAt,
          ended_at: NOW - 1000,
          resolved_sha: "b".repeat(40),
          polled_at: NOW,
        },
        now: NOW,
        followUps: [{ kind: JOB.reportStatus, payload: { buildId: build.id }, dedupeKey: `report:${build.id}` }],
      },
    ]);
  });

  it("stores nothing for a build whose snapshot did not change, but records that it was polled", async () => {
    const { builder, store, deps } = setup();
    const builds = await inFlight(builder, 3);
    expect((await pollBuilds(deps, builds)).changed).toBe(0);
    expect(store.updates).toEqual([]);
    expect(store.polled).toEqual([1, 2, 3]);
  });

  it("ignores a snapshot of a build it did not ask about", async () => {
    const builder = new (class extends RecordingBuilder {
      override async poll(ids: readonly string[]): Promise<PollResult> {
        const result = await super.poll(ids);
        return { ...result, snapshots: [...result.snapshots, { externalId: "stranger:1", status: "SUCCEEDED", phases: [] }] };
      }
    })();
    const { store, deps } = setup(builder);
    expect((await pollBuilds(deps, await inFlight(builder, 1))).changed).toBe(0);
    expect(store.updates).toEqual([]);
  });
});

describe("pollBuilds: builds the builder does not know", () => {
  const lost = (id: number, over: Partial<BuildRow>) => buildRow({ id, external_id: `lost:${id}`, state: "queued", ...over });

  it("errors builds started more than 15 minutes ago and leaves newer ones alone", async () => {
    const { store, deps } = setup();
    const builds = [
      lost(1, { started_at: NOW - 16 * MINUTE }),
      lost(2, { started_at: NOW - 5 * MINUTE }),
      lost(3, { started_at: NOW - 15 * MINUTE }), // exactly at the grace: still waiting
      lost(4, { started_at: null, created_at: NOW - 60 * MINUTE }), // never recorded a start: its creation counts
      lost(5, { started_at: null, created_at: NOW - MINUTE }),
    ];

    const summary = await pollBuilds(deps, builds);

    expect(summary).toMatchObject({ builds: 5, calls: 1, changed: 2, failedCalls: 0 });
    expect(store.updates).toEqual(
      [1, 4].map((id) => ({
        id,
        expected: ["queued", "running"],
        patch: { state: "errored", error: `the builder does not know build lost:${id}` },
        now: NOW,
        followUps: [{ kind: JOB.reportStatus, payload: { buildId: id }, dedupeKey: `report:${id}` }],
      })),
    );
  });
});

describe("pollBuilds: a write the store refuses", () => {
  it("a snapshot of a build that finished meanwhile (another replica's poll, a stop) is not counted, and is logged", async () => {
    const { builder, store, lines, deps } = setup();
    const [build] = await inFlight(builder, 1);
    if (!build?.external_id) throw new Error("expected a build");
    builder.advance(build.external_id, { status: "IN_PROGRESS", currentPhase: "BUILD", phases: [] });
    store.moved.add(build.id);

    const summary = await pollBuilds(deps, [build]);

    expect(summary.changed).toBe(0);
    expect(store.updates.map((u) => [u.id, u.expected, u.patch.state])).toEqual([[build.id, ["queued", "running"], "running"]]);
    expect(lines.some((l) => l.msg === "build changed since it was read; stale snapshot not stored" && l.buildId === build.id)).toBe(true);
  });
});
