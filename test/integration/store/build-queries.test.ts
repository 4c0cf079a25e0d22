import { allowedFrom } from "../../../src/domain/build-lifecycle.js";
import { BUILD_STATES } from "../../../src/domain/build-state.js";
import { JOB, reportJob } from "../../../src/pipeline/job-kinds.js";
import type { NewBuild, Store } from "../../../src/store/store.js";
import { newBuild, routeBuilds } from "../../helpers/store-fixtures.js";
import { execRaw, storeTargets, trackStores } from "../../helpers/store-targets.js";

const targets = await storeTargets();
const NOW = 5_000;
const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);

describe.each(targets)("store on $name: build queries", (target) => {
  const open = trackStores();
  let store: Store;
  let url: string;
  let deliveries = 0;
  beforeEach(async () => {
    url = await target.freshUrl();
    store = await open({ url, maxAttempts: 4 });
  });

  /** Records one delivery routed to `builds`; returns their ids in order. */
  const createBuilds = (...builds: NewBuild[]) => routeBuilds(store, `d-${++deliveries}`, builds, NOW);

  /** Every job, claimed at once, with parsed payloads (in id order). */
  async function allQueuedJobs(): Promise<Array<{ kind: string; payload: unknown; dedupeKey: string | null }>> {
    const jobs = await store.jobs.claim("inspector", Number.MAX_SAFE_INTEGER - 1, 1, 10_000);
    return jobs.map((j) => ({ kind: j.kind, payload: JSON.parse(j.payload) as unknown, dedupeKey: j.dedupe_key }));
  }

  describe("listInFlightBuilds", () => {
    it("lists started, unfinished builds only, least recently polled first", async () => {
      const ids = await createBuilds(...["pending", "queued", "running", "done", "noid", "polled", "stopped"].map((r) => newBuild(r, `k-${r}`)));
      const [pending, queued, running, done, noId, polled, stopped] = ids as [number, number, number, number, number, number, number];
      await store.updateBuild(queued, BUILD_STATES, { state: "queued", external_id: "p:queued", polled_at: 300 }, NOW);
      await store.updateBuild(running, BUILD_STATES, { state: "running", external_id: "p:running", polled_at: 100 }, NOW);
      await store.updateBuild(done, BUILD_STATES, { state: "succeeded", external_id: "p:done", polled_at: 50 }, NOW);
      await store.updateBuild(noId, BUILD_STATES, { state: "running" }, NOW);
      await store.updateBuild(polled, BUILD_STATES, { state: "running", external_id: "p:never-polled" }, NOW);
      await store.updateBuild(stopped, BUILD_STATES, { state: "stopped", external_id: "p:stopped" }, NOW);

      const inFlight = await store.listInFlightBuilds(100);

      // Never polled counts as the oldest poll, on both engines.
      expect(inFlight.map((b) => b.id)).toEqual([polled, running, queued]);
      expect(inFlight.map((b) => b.id)).not.toContain(pending);
      expect(await store.listInFlightBuilds(2)).toHaveLength(2);
      expect((await store.listInFlightBuilds(1)).map((b) => b.id)).toEqual([polled]);
    });

    it("orders builds polled at the same time by id", async () => {
      const ids = await createBuilds(newBuild("a", "k-a"), newBuild("b", "k-b"), newBuild("c", "k-c"));
      for (const id of [...ids].reverse()) await store.updateBuild(id, BUILD_STATES, { state: "running", external_id: `p:${id}`, polled_at: 10 }, NOW);
      expect((await store.listInFlightBuilds(10)).map((b) => b.id)).toEqual(ids);
    });

    it("is empty without builds in flight", async () => {
      await createBuilds(newBuild("a", "k-a"));
      expect(await store.listInFlightBuilds(10)).toEqual([]);
    });
  });

  it("findBuildByExternalId finds a started build, or nothing", async () => {
    const [a = -1, b = -1] = await createBuilds(newBuild("a", "k-a"), newBuild("b", "k-b"));
    await store.updateBuild(a, BUILD_STATES, { state: "running", external_id: "api-ci:1111" }, NOW);
    await store.updateBuild(b, BUILD_STATES, { state: "running", external_id: "api-ci:2222" }, NOW);

    expect(await store.findBuildByExternalId("api-ci:2222")).toMatchObject({ id: b, route: "b", external_id: "api-ci:2222" });
    expect(await store.findBuildByExternalId("api-ci:3333")).toBeUndefined();
    expect(await store.findBuildByExternalId("")).toBeUndefined();
  });

  describe("latestBuildForTarget", () => {
    it("is the newest build of the repository, commit and context", async () => {
      const [older = -1] = await createBuilds(newBuild("api", "k1"));
      const [newer = -1] = await createBuilds(newBuild("api", "k2"));
      await createBuilds(newBuild("api", "k3", { sha: SHA_B }), newBuild("web", "k4"), newBuild("api", "k5", { repository: "acme/web" }));

      expect((await store.latestBuildForTarget("acme/api", SHA_A, "buildgate/api"))?.id).toBe(newer);
      expect(newer).toBeGreaterThan(older);
      expect((await store.latestBuildForTarget("acme/api", SHA_A, "buildgate/web"))?.route).toBe("web");
      expect(await store.latestBuildForTarget("acme/api", SHA_A, "buildgate/docs")).toBeUndefined();
      expect(await store.latestBuildForTarget("acme/other", SHA_A, "buildgate/api")).toBeUndefined();
    });

    it("follows the context, not the route name", async () => {
      const [id = -1] = await createBuilds(newBuild("api-v2", "k1", { context: "ci/api" }));
      expect((await store.latestBuildForTarget("acme/api", SHA_A, "ci/api"))?.id).toBe(id);
      expect(await store.latestBuildForTarget("acme/api", SHA_A, "buildgate/api-v2")).toBeUndefined();
    });
  });

  it("listBuildsForCommit lists the commit's builds of the repository, oldest first", async () => {
    const [a1 = -1, b1 = -1] = await createBuilds(newBuild("api", "k1"), newBuild("web", "k2"));
    await createBuilds(newBuild("api", "k3", { sha: SHA_B }), newBuild("api", "k4", { repository: "acme/web" }));
    const [a2 = -1] = await createBuilds(newBuild("api", "k5"));

    expect((await store.listBuildsForCommit("acme/api", SHA_A)).map((b) => [b.id, b.route])).toEqual([
      [a1, "api"],
      [b1, "web"],
      [a2, "api"],
    ]);
    expect(await store.listBuildsForCommit("acme/api", "c".repeat(40))).toEqual([]);
  });

  describe("updateBuild", () => {
    it("writes the tracking fields and updated_at", async () => {
      const [id = -1] = await createBuilds(newBuild("api", "k1"));
      const phases = JSON.stringify([{ type: "BUILD", status: "FAILED" }]);
      await store.updateBuild(
        id,
        BUILD_STATES,
        { state: "failed", external_status: "FAILED", current_phase: "COMPLETED", phases, started_at: 6_000, ended_at: 9_000, resolved_sha: SHA_B, polled_at: 9_500, superseded_by: 42 },
        9_600,
      );
      expect(await store.getBuild(id)).toMatchObject({
        state: "failed",
        external_status: "FAILED",
        current_phase: "COMPLETED",
        phases,
        started_at: 6_000,
        ended_at: 9_000,
        resolved_sha: SHA_B,
        polled_at: 9_500,
        superseded_by: 42,
        updated_at: 9_600,
        created_at: NOW,
      });
    });

    it("enqueues follow-up jobs with the change", async () => {
      const [id = -1] = await createBuilds(newBuild("api", "k1"));
      await allQueuedJobs(); // the routing's own jobs are running now

      await store.updateBuild(id, BUILD_STATES, { state: "running", external_id: "p:1" }, NOW + 1, [reportJob(id), { kind: JOB.stopBuild, payload: { buildId: id } }]);

      expect(await store.getBuild(id)).toMatchObject({ state: "running" });
      expect(await allQueuedJobs()).toEqual([
        { kind: JOB.reportStatus, payload: { buildId: id }, dedupeKey: `report:${id}` },
        { kind: JOB.stopBuild, payload: { buildId: id }, dedupeKey: null },
      ]);
    });

    it("deduplicates a follow-up report against one still queued", async () => {
      const [id = -1] = await createBuilds(newBuild("api", "k1")); // queues report:<id>
      await store.updateBuild(id, BUILD_STATES, { state: "queued", external_id: "p:1" }, NOW + 1, [reportJob(id)]);
      await store.updateBuild(id, BUILD_STATES, { state: "running" }, NOW + 2, [reportJob(id)]);
      expect((await allQueuedJobs()).filter((j) => j.kind === JOB.reportStatus)).toHaveLength(1);
      expect(await store.getBuild(id)).toMatchObject({ state: "running", updated_at: NOW + 2 });
    });

    it("writes the change and its follow-ups in one transaction: a failing follow-up undoes the change", async () => {
      const [id = -1] = await createBuilds(newBuild("api", "k1"));
      const before = await store.getBuild(id);
      const counts = await store.jobs.countByState();
      // A payload JSON cannot hold: the job insert throws after the build was updated.
      const broken = { kind: JOB.reportStatus, payload: { big: 1n } };

      await expect(store.updateBuild(id, BUILD_STATES, { state: "succeeded", ended_at: 9_000 }, NOW + 1, [reportJob(id + 1000), broken])).rejects.toThrow();

      expect(await store.getBuild(id)).toEqual(before);
      expect(await store.jobs.countByState()).toEqual(counts);
    });
  });

  describe("updateBuild is a compare-and-set on the build's state", () => {
    /** A build the builder started (queued, with a build id), its routing jobs drained. */
    async function startedBuild(): Promise<number> {
      const [id = -1] = await createBuilds(newBuild("api", `k-${deliveries}`));
      expect(await store.updateBuild(id, allowedFrom("start", "queued"), { state: "queued", external_id: "p:1", started_at: NOW }, NOW)).toBe(true);
      await allQueuedJobs();
      return id;
    }

    it("refuses a late poll that would move a finished build back, and enqueues nothing", async () => {
      const id = await startedBuild();
      expect(await store.updateBuild(id, allowedFrom("poll", "succeeded"), { state: "succeeded", external_status: "SUCCEEDED", current_phase: "COMPLETED", ended_at: NOW + 2 }, NOW + 2, [reportJob(id)])).toBe(true);
      await allQueuedJobs();
      const finished = await store.getBuild(id);

      // A poll that read the build before it finished stores its (older) snapshot.
      const applied = await store.updateBuild(id, allowedFrom("poll", "running"), { state: "running", external_status: "IN_PROGRESS", current_phase: "BUILD", ended_at: null }, NOW + 3, [reportJob(id)]);

      expect(applied).toBe(false);
      expect(await store.getBuild(id)).toEqual(finished);
      expect(finished).toMatchObject({ state: "succeeded", current_phase: "COMPLETED", updated_at: NOW + 2 });
      expect(await allQueuedJobs()).toEqual([]);
    });

    it.each([
      { name: "a start of a build that is no longer pending", from: allowedFrom("start", "queued"), state: "stopped" as const },
      { name: "a stop of a build that finished meanwhile", from: allowedFrom("stop", "stopped"), state: "failed" as const },
      { name: "a give-up on a build that another attempt started", from: allowedFrom("give_up", "errored"), state: "queued" as const },
    ])("refuses $name", async ({ from, state }) => {
      const [id = -1] = await createBuilds(newBuild("api", `k-${deliveries}`));
      await store.updateBuild(id, BUILD_STATES, { state }, NOW + 1);
      expect(await store.updateBuild(id, from, { state: "errored", error: "late" }, NOW + 2)).toBe(false);
      expect(await store.getBuild(id)).toMatchObject({ state, error: null, updated_at: NOW + 1 });
    });

    it("applies a write that keeps the state when the build is in it (a retried start notes its error)", async () => {
      const [id = -1] = await createBuilds(newBuild("api", `k-${deliveries}`));
      expect(await store.updateBuild(id, allowedFrom("start", "pending"), { error: "throttled" }, NOW + 1)).toBe(true);
      expect(await store.getBuild(id)).toMatchObject({ state: "pending", error: "throttled" });
    });

    // Two replicas: PostgreSQL only (two SQLite stores in one process would wait on each other's lock synchronously; SQLite serializes writers anyway).
    if (target.name === "postgres") {
      it("lets exactly one of two replicas finish a build (a poll and a stop at the same time)", async () => {
        const other = await open({ url, maxAttempts: 4 });
        for (let round = 0; round < 5; round++) {
          const id = await startedBuild();
          const outcomes = await Promise.all([
            store.updateBuild(id, allowedFrom("poll", "succeeded"), { state: "succeeded" }, NOW + 5, [reportJob(id)]),
            other.updateBuild(id, allowedFrom("stop", "stopped"), { state: "stopped" }, NOW + 5, [reportJob(id)]),
          ]);
          expect(outcomes.filter(Boolean)).toHaveLength(1);
          expect((await store.getBuild(id))?.state).toBe(outcomes[0] ? "succeeded" : "stopped");
          expect((await allQueuedJobs()).filter((j) => j.kind === JOB.reportStatus)).toHaveLength(1);
        }
      });
    }

    it("refuses to write without an expected state", async () => {
      const [id = -1] = await createBuilds(newBuild("api", `k-${deliveries}`));
      await expect(store.updateBuild(id, [], { state: "running" }, NOW + 1)).rejects.toThrow(/expect at least one state/);
    });
  });

  it("rejects a stored state it does not know, loudly", async () => {
    const [id = -1] = await createBuilds(newBuild("api", "k-unknown"));
    await execRaw(url, `update builds set state = 'finished' where id = ${id}`);
    await expect(store.getBuild(id)).rejects.toThrow('unknown build state "finished"');
  });

  describe("status reports", () => {
    const report = (over: Partial<Parameters<Store["saveStatusReport"]>[0]> = {}): Parameters<Store["saveStatusReport"]>[0] => ({
      target: `github|acme/api|${SHA_A}|buildgate/api`,
      provider: "github",
      build_id: 1,
      state: "pending",
      description: "Build queued",
      target_url: "https://ci.example.com/builds/1",
      reported_at: 7_000,
      posts: 1,
      error: null,
      ...over,
    });

    it("are unknown until saved", async () => {
      expect(await store.getStatusReport(report().target)).toBeUndefined();
    });

    it("saves a report and reads it back", async () => {
      await store.saveStatusReport(report());
      expect(await store.getStatusReport(report().target)).toEqual({ id: expect.any(Number), ...report() });
    });

    it("upserts by target: one row per target, the latest values", async () => {
      await store.saveStatusReport(report());
      const { id } = (await store.getStatusReport(report().target)) ?? { id: -1 };
      await store.saveStatusReport(report({ target: `github|acme/api|${SHA_A}|buildgate/web`, build_id: 3 }));

      const latest = report({ build_id: 2, state: "failure", description: "Failed in BUILD phase after 1m05s", target_url: null, reported_at: null, posts: 5, error: "GitHub answered 422: too many statuses" });
      await store.saveStatusReport(latest);

      expect(await store.getStatusReport(report().target)).toEqual({ id, ...latest });
      expect(await store.getStatusReport(`github|acme/api|${SHA_A}|buildgate/web`)).toMatchObject({ build_id: 3, state: "pending" });
    });
  });
});
