import { pino } from "pino";
import type { BuildState } from "../../../src/domain/build-state.js";
import { createStartBuild } from "../../../src/pipeline/start-build.js";
import type { BuildPatch, BuildRow, JobRow, NewJob, Store } from "../../../src/store/store.js";
import { RecordingBuilder, unknownProject } from "../../fakes/recording-builder.js";
import { buildRow } from "../../helpers/store-fixtures.js";

const NOW = 1_700_000_000_000;

/** One build in memory; `updateBuild` is a compare-and-set like the real store's. `meanwhile` runs once, while the builder starts it. */
class OneBuildStore implements Pick<Store, "getBuild" | "updateBuild" | "recordStartAttempt"> {
  readonly writes: Array<{ expected: readonly BuildState[]; patch: BuildPatch; followUps: readonly NewJob[]; applied: boolean }> = [];
  meanwhile: Partial<BuildRow> | undefined;
  constructor(public build: BuildRow) {}
  async getBuild() {
    return this.build;
  }
  async recordStartAttempt(_id: number, at: number) {
    this.build = { ...this.build, first_start_at: at };
    if (this.meanwhile) this.build = { ...this.build, ...this.meanwhile };
    this.meanwhile = undefined;
  }
  async updateBuild(_id: number, expected: readonly BuildState[], patch: BuildPatch, _now: number, followUps: readonly NewJob[] = []) {
    const applied = expected.includes(this.build.state);
    if (applied) this.build = { ...this.build, ...patch };
    this.writes.push({ expected, patch, followUps, applied });
    return applied;
  }
}

const pending = () => buildRow({ id: 7, state: "pending", external_id: null, started_at: null, external_status: null, current_phase: null });
const job = { attempts: 1 } as JobRow;

function setup(meanwhile?: Partial<BuildRow>) {
  const store = new OneBuildStore(pending());
  store.meanwhile = meanwhile;
  const builder = new RecordingBuilder();
  let started = 0;
  const handler = createStartBuild({ store, builder, now: () => NOW, onStarted: () => started++ });
  return { store, builder, run: () => handler.run({ buildId: 7 }, { job, log: pino({ level: "silent" }) }), started: () => started };
}

describe("start_build and the build's state", () => {
  it("records a start of a pending build (pending → queued) with its report", async () => {
    const { store, run, started } = setup();
    await run();
    expect(store.build).toMatchObject({ state: "queued", external_id: "api-ci:1" });
    expect(store.writes.map((w) => [w.expected, w.applied, w.followUps.map((j) => j.kind)])).toEqual([[["pending"], true, ["report_status"]]]);
    expect(started()).toBe(1);
  });

  it("superseded while the builder was starting it: the stopped build stays stopped and the build just started is stopped", async () => {
    const { store, builder, run, started } = setup({ state: "stopped", superseded_by: 8 });
    await run();
    expect(store.build).toMatchObject({ state: "stopped", superseded_by: 8, external_id: null });
    expect(store.writes.map((w) => w.applied)).toEqual([false]);
    expect(builder.stops).toEqual(["api-ci:1"]);
    expect(started()).toBe(0);
  });

  it("started meanwhile by another attempt (same build id): its write stands, nothing is stopped", async () => {
    const { store, builder, run } = setup({ state: "running", external_id: "api-ci:1" });
    await run();
    expect(store.build).toMatchObject({ state: "running", external_id: "api-ci:1" });
    expect(builder.stops).toEqual([]);
  });

  it.each<{ name: string; state: BuildState }>([
    { name: "a build no longer pending is not started at all", state: "queued" },
    { name: "a finished build is not started at all", state: "succeeded" },
  ])("$name", async ({ state }) => {
    const { store, builder, run } = setup();
    store.build = { ...store.build, state };
    await run();
    expect([builder.starts.length, store.writes.length]).toEqual([0, 0]);
  });

  it("a permanent refusal errors a pending build; a give-up does not touch a build that left pending", async () => {
    const { store, builder, run } = setup();
    builder.failWith(unknownProject());
    await run();
    expect(store.build).toMatchObject({ state: "errored" });

    const other = setup();
    other.store.build = { ...other.store.build, state: "stopped" };
    await createStartBuild({ store: other.store, builder: other.builder, now: () => NOW }).onGiveUp?.({ buildId: 7 }, "boom", { job, log: pino({ level: "silent" }) });
    expect(other.store.build.state).toBe("stopped");
    expect(other.store.writes.map((w) => [w.expected, w.applied])).toEqual([[["pending"], false]]);
  });
});
