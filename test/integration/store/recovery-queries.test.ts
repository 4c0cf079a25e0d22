import { BUILD_STATES } from "../../../src/domain/build-state.js";
import { statusTarget } from "../../../src/pipeline/report-status.js";
import type { SweepWindow } from "../../../src/store/recovery-queries.js";
import type { NewBuild, Store } from "../../../src/store/store.js";
import { insertAccepted, newBuild, routeBuilds } from "../../helpers/store-fixtures.js";
import { storeTargets, trackStores } from "../../helpers/store-targets.js";

const targets = await storeTargets();
const NOW = 10_000_000;
const MINUTE = 60_000;

/** Wide open: every candidate of every kind. */
const ALL: SweepWindow = { pendingBefore: NOW + 1, silentBefore: NOW + 1, stuckBefore: 0, finalAfter: 0, finalBefore: NOW + 1, limit: 100 };

describe.each(targets)("store on $name: recovery queries", (target) => {
  const open = trackStores();
  let store: Store;
  let deliveries = 0;
  beforeEach(async () => {
    store = await open({ url: await target.freshUrl(), maxAttempts: 4 });
  });

  const createBuilds = (...builds: NewBuild[]) => routeBuilds(store, `d-${++deliveries}`, builds, NOW - 30 * MINUTE);
  /** Drops every queued job (the start jobs routing created), as if they ran. */
  async function finishAllJobs(): Promise<void> {
    for (const j of await store.jobs.claim("t", Number.MAX_SAFE_INTEGER - 1, 1, 10_000)) await store.jobs.complete(j.id, "t", NOW);
  }
  const report = async (buildId: number, state: string) => {
    const b = await store.getBuild(buildId);
    await store.saveStatusReport({ target: statusTarget(b!), provider: "github", build_id: buildId, state, description: "d", target_url: null, reported_at: NOW, posts: 1, error: null });
  };
  const ids = async (w: SweepWindow) => (await store.listSweepCandidates(w)).map((c) => c.build.id).sort((a, b) => a - b);

  it("lists pending builds by last update, and says which still have a start job", async () => {
    const [withJob, lost, recent] = await createBuilds(newBuild("a", "k-a"), newBuild("b", "k-b"), newBuild("c", "k-c"));
    for (const j of await store.jobs.claim("t", NOW, MINUTE, 100)) {
      const { buildId } = JSON.parse(j.payload) as { buildId?: number };
      // the start job of `withJob` keeps running; the others are done
      if (buildId !== withJob) await store.jobs.complete(j.id, "t", NOW);
    }
    await store.updateBuild(recent!, BUILD_STATES, { error: "throttled" }, NOW);
    const candidates = await store.listSweepCandidates({ ...ALL, pendingBefore: NOW - MINUTE });
    expect(candidates.map((c) => [c.build.id, c.startJobAlive, c.reportState])).toEqual([
      [withJob, true, null],
      [lost, false, null],
    ]);
  });

  it("lists in-flight builds not polled since, or started before, the bounds", async () => {
    const [silent, fresh, old, neverPolled] = await createBuilds(...["silent", "fresh", "old", "never"].map((r) => newBuild(r, `k-${r}`)));
    await finishAllJobs();
    await store.updateBuild(silent!, BUILD_STATES, { state: "running", external_id: "p:1", started_at: NOW - 20 * MINUTE, polled_at: NOW - 10 * MINUTE }, NOW);
    await store.updateBuild(fresh!, BUILD_STATES, { state: "running", external_id: "p:2", started_at: NOW - 20 * MINUTE, polled_at: NOW - 1000 }, NOW);
    await store.updateBuild(old!, BUILD_STATES, { state: "queued", external_id: "p:3", started_at: NOW - 9 * 60 * MINUTE, polled_at: NOW - 1000 }, NOW);
    await store.updateBuild(neverPolled!, BUILD_STATES, { state: "queued", external_id: "p:4", started_at: NOW - 5 * MINUTE }, NOW);
    expect(await ids({ ...ALL, pendingBefore: 0, finalBefore: 0, silentBefore: NOW - 2 * MINUTE, stuckBefore: NOW - 8 * 60 * MINUTE })).toEqual([silent, old, neverPolled]);
  });

  it("lists finished builds whose target's last report is in progress, newest build of the target only", async () => {
    const sha = { sha: "c".repeat(40) };
    const [stale, reported, older, newer, comment, recent] = await createBuilds(
      newBuild("stale", "k-stale"),
      newBuild("reported", "k-reported"),
      newBuild("same", "k-older", sha),
      newBuild("same", "k-newer", sha),
      newBuild("cc", "k-cc", { provider: "codecommit" }),
      newBuild("recent", "k-recent"),
    );
    await finishAllJobs();
    for (const id of [stale, reported, older, newer, comment]) await store.updateBuild(id!, BUILD_STATES, { state: "succeeded", ended_at: NOW - 10 * MINUTE }, NOW - 10 * MINUTE);
    await store.updateBuild(recent!, BUILD_STATES, { state: "failed" }, NOW);
    await report(stale!, "pending");
    await report(reported!, "success");
    await report(older!, "pending"); // the newer build of the same target is what gets reported
    await report(comment!, "started");
    await report(recent!, "pending");
    const candidates = await store.listSweepCandidates({ ...ALL, pendingBefore: 0, silentBefore: 0, finalAfter: NOW - 60 * MINUTE, finalBefore: NOW - 2 * MINUTE });
    expect(candidates.map((c) => [c.build.id, c.reportState])).toEqual([
      [stale, "pending"],
      [newer, "pending"],
      [comment, "started"],
    ]);
    expect(candidates[0]?.build).toMatchObject({ state: "succeeded", route: "stale" });
  });

  it("bounds each kind by the limit, oldest first", async () => {
    const built = await createBuilds(...[1, 2, 3, 4].map((i) => newBuild(`r${i}`, `k-${i}`)));
    await finishAllJobs();
    expect(await ids({ ...ALL, limit: 2 })).toEqual(built.slice(0, 2));
  });

  it("markPolled sets polled_at only", async () => {
    const [a, b] = await createBuilds(newBuild("a", "k-a"), newBuild("b", "k-b"));
    await store.markPolled([a!], NOW + 5);
    expect(await store.getBuild(a!)).toMatchObject({ polled_at: NOW + 5, updated_at: NOW - 30 * MINUTE });
    expect(await store.getBuild(b!)).toMatchObject({ polled_at: null });
    await store.markPolled([], NOW);
  });

  it("records the first start attempt on the build", async () => {
    const [a] = await createBuilds(newBuild("a", "k-a"));
    expect((await store.getBuild(a!))?.first_start_at).toBeNull();
    await store.updateBuild(a!, BUILD_STATES, { first_start_at: NOW }, NOW);
    expect((await store.getBuild(a!))?.first_start_at).toBe(NOW);
  });

  it("knownDeliveryIds answers which delivery ids of a source are in the inbox, in chunks", async () => {
    await insertAccepted(store, "guid-1");
    await insertAccepted(store, "guid-2");
    await insertAccepted(store, "sns-1", { source: "sns" });
    const asked = ["guid-1", "guid-2", "guid-3", "sns-1", ...Array.from({ length: 1200 }, (_, i) => `x-${i}`)];
    expect([...(await store.knownDeliveryIds("github", asked))].sort()).toEqual(["guid-1", "guid-2"]);
    expect(await store.knownDeliveryIds("github", [])).toEqual(new Set());
  });
});
