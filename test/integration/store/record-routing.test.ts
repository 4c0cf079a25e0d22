import { BUILD_STATES, type BuildState } from "../../../src/domain/build-state.js";
import { JOB } from "../../../src/pipeline/job-kinds.js";
import type { RoutingRecord, Store } from "../../../src/store/store.js";
import { insertAccepted, newBuild } from "../../helpers/store-fixtures.js";
import { queryRaw, storeTargets, trackStores } from "../../helpers/store-targets.js";

const targets = await storeTargets();
const NOW = 2_000;

const twoBuilds: RoutingRecord = {
  status: "routed",
  decisions: [
    { route: "api", matched: true, reason: "push to main matches [main]", build: newBuild("api", "api|push|main|aaa") },
    { route: "docs", matched: false, reason: "branch main not in [gh-pages]" },
    { route: "web", matched: true, reason: "push to main matches [*]", build: newBuild("web", "web|push|main|aaa", { env: { A: "1" } }) },
  ],
};

describe.each(targets)("store on $name: recordRouting", (target) => {
  const open = trackStores();
  let url: string;
  let store: Store;
  beforeEach(async () => {
    url = await target.freshUrl();
    store = await open({ url, maxAttempts: 4 });
  });

  /** All queued jobs, by kind, with parsed payloads. */
  async function queuedJobs(): Promise<Array<{ kind: string; payload: unknown }>> {
    const jobs = await store.jobs.claim("inspector", Number.MAX_SAFE_INTEGER - 1, 1, 1_000);
    return jobs.map((j) => ({ kind: j.kind, payload: JSON.parse(j.payload) as unknown }));
  }

  it("records an ignored delivery as ignored, with no builds or jobs", async () => {
    const id = await insertAccepted(store, "d-ign");
    const outcome = await store.recordRouting(id, { status: "ignored", reason: "tag pushes are not routed" }, NOW);

    expect(outcome).toEqual({ recorded: true, createdBuildIds: [], duplicateBuildIds: [] });
    expect(await store.getDelivery(id)).toMatchObject({ status: "ignored", reason: "tag pushes are not routed", processed_at: NOW });
    expect(await store.listDecisions(id)).toEqual([]);
    expect(await store.listBuilds({})).toEqual([]);
    expect(await queuedJobs()).toEqual([{ kind: JOB.processDelivery, payload: { deliveryRowId: id } }]);
  });

  it("creates one build with a start_build and a report_status job per matched decision, and decisions in order", async () => {
    const id = await insertAccepted(store, "d-routed");
    const outcome = await store.recordRouting(id, twoBuilds, NOW);

    expect(outcome.recorded).toBe(true);
    expect(outcome.createdBuildIds).toHaveLength(2);
    expect(outcome.duplicateBuildIds).toEqual([]);
    const [apiBuild, webBuild] = outcome.createdBuildIds;

    expect((await store.listDecisions(id)).map((d) => ({ route: d.route, matched: d.matched, reason: d.reason, build_id: d.build_id, delivery_row_id: d.delivery_row_id }))).toEqual([
      { route: "api", matched: 1, reason: "push to main matches [main]", build_id: apiBuild, delivery_row_id: id },
      { route: "docs", matched: 0, reason: "branch main not in [gh-pages]", build_id: null, delivery_row_id: id },
      { route: "web", matched: 1, reason: "push to main matches [*]", build_id: webBuild, delivery_row_id: id },
    ]);
    expect(await store.getDelivery(id)).toMatchObject({ status: "routed", reason: "2 of 3 routes matched; 2 build(s) created", processed_at: NOW });
    expect((await store.listBuilds({ deliveryRowId: id })).map((b) => b.id)).toEqual([webBuild, apiBuild]);

    expect(await queuedJobs()).toEqual([
      { kind: JOB.processDelivery, payload: { deliveryRowId: id } },
      { kind: JOB.startBuild, payload: { buildId: apiBuild } },
      { kind: JOB.reportStatus, payload: { buildId: apiBuild } },
      { kind: JOB.startBuild, payload: { buildId: webBuild } },
      { kind: JOB.reportStatus, payload: { buildId: webBuild } },
    ]);
  });

  it("gives each build's report_status job the dedupe key report:<buildId>", async () => {
    const id = await insertAccepted(store, "d-report-keys");
    const { createdBuildIds } = await store.recordRouting(id, twoBuilds, NOW);

    const reports = await queryRaw<{ payload: string; dedupe_key: string | null }>(url, `select payload, dedupe_key from jobs where kind = '${JOB.reportStatus}' order by id`);
    expect(reports.map((r) => [JSON.parse(r.payload) as unknown, r.dedupe_key])).toEqual(createdBuildIds.map((b) => [{ buildId: b }, `report:${b}`]));
  });

  it("stores a skipped plan as a skipped build with a report job and no start job", async () => {
    const id = await insertAccepted(store, "d-skipped");
    const record: RoutingRecord = {
      status: "routed",
      decisions: [
        { route: "api", matched: true, reason: "matched", build: newBuild("api", "api|pr|7|aaa", { eventKind: "pull_request", pullRequest: 7 }) },
        { route: "docs", matched: false, reason: "none of 1 changed files match paths: [docs/**]: reported as not affected (reportSkipped)", build: newBuild("docs", "docs|pr|7|aaa", { eventKind: "pull_request", pullRequest: 7, skipped: true }) },
      ],
    };
    const { createdBuildIds: [apiBuild = -1, docsBuild = -1] } = await store.recordRouting(id, record, NOW);

    expect(await store.getBuild(docsBuild)).toMatchObject({ state: "skipped", route: "docs", external_id: null });
    expect(await store.getBuild(apiBuild)).toMatchObject({ state: "pending" });
    expect((await store.listDecisions(id)).map((d) => [d.route, d.matched, d.reason, d.build_id])).toEqual([
      ["api", 1, "matched", apiBuild],
      ["docs", 0, "none of 1 changed files match paths: [docs/**]: reported as not affected (reportSkipped)", docsBuild],
    ]);
    expect(await store.getDelivery(id)).toMatchObject({ reason: "1 of 2 routes matched; 2 build(s) created" });
    expect((await queuedJobs()).filter((j) => j.kind !== JOB.processDelivery)).toEqual([
      { kind: JOB.startBuild, payload: { buildId: apiBuild } },
      { kind: JOB.reportStatus, payload: { buildId: apiBuild } },
      { kind: JOB.reportStatus, payload: { buildId: docsBuild } },
    ]);
  });

  it("writes nothing when the same delivery is recorded again", async () => {
    const id = await insertAccepted(store, "d-twice");
    await store.recordRouting(id, twoBuilds, NOW);
    const decisions = await store.listDecisions(id);
    const counts = await store.jobs.countByState();

    expect(await store.recordRouting(id, { status: "ignored", reason: "x" }, NOW + 1)).toEqual({ recorded: false, createdBuildIds: [], duplicateBuildIds: [] });
    expect(await store.recordRouting(id, twoBuilds, NOW + 1)).toEqual({ recorded: false, createdBuildIds: [], duplicateBuildIds: [] });

    expect(await store.listDecisions(id)).toEqual(decisions);
    expect(await store.listBuilds({})).toHaveLength(2);
    expect(await store.jobs.countByState()).toEqual(counts);
    expect(await store.getDelivery(id)).toMatchObject({ status: "routed", processed_at: NOW });
  });

  it("does not record an unknown delivery", async () => {
    expect(await store.recordRouting(424242, twoBuilds, NOW)).toEqual({ recorded: false, createdBuildIds: [], duplicateBuildIds: [] });
    expect(await store.listBuilds({})).toEqual([]);
  });

  it("points a second delivery of an already built plan at the existing build", async () => {
    const first = await insertAccepted(store, "d-first");
    const { createdBuildIds: [apiBuild] } = await store.recordRouting(first, twoBuilds, NOW);
    const second = await insertAccepted(store, "d-second");
    const buildsBefore = await store.listBuilds({});

    const outcome = await store.recordRouting(
      second,
      { status: "routed", decisions: [{ route: "api", matched: true, reason: "push to main matches [main]", build: newBuild("api", "api|push|main|aaa", { project: "other" }) }] },
      NOW + 1,
    );

    expect(outcome).toEqual({ recorded: true, createdBuildIds: [], duplicateBuildIds: [apiBuild] });
    const [decision] = await store.listDecisions(second);
    expect(decision?.build_id).toBe(apiBuild);
    expect(decision?.reason).toMatch(new RegExp(`^push to main matches \\[main\\]; already built as build #${apiBuild}\\b`));
    expect(await store.listBuilds({})).toEqual(buildsBefore);
    expect(await store.getDelivery(second)).toMatchObject({ status: "routed", reason: "1 of 1 routes matched; 0 build(s) created, 1 already built" });
    expect((await queuedJobs()).filter((j) => j.kind === JOB.startBuild)).toHaveLength(2);
  });

  it("reads and updates a build", async () => {
    const id = await insertAccepted(store, "d-build");
    const { createdBuildIds: [buildId = -1] } = await store.recordRouting(id, twoBuilds, NOW);

    const build = await store.getBuild(buildId);
    expect(build).toMatchObject({
      id: buildId,
      delivery_row_id: id,
      dedupe_key: "api|push|main|aaa",
      route: "api",
      project: "api-ci",
      context: "buildgate/api",
      state: "pending",
      pull_request: null,
      external_id: null,
      created_at: NOW,
      updated_at: NOW,
      started_at: null,
      phases: "[]",
      external_status: null,
      current_phase: null,
      ended_at: null,
      resolved_sha: null,
      polled_at: null,
      superseded_by: null,
      supersede_key: null,
      event_at: null,
      head_ref: null,
    });
    expect(JSON.parse(build?.env ?? "")).toEqual({ STAGE: "ci" });
    expect(JSON.parse(build?.trigger ?? "")).toEqual({ deliveryId: "d-1", event: "push" });

    await store.updateBuild(buildId, BUILD_STATES, { state: "running", external_id: "api-ci:1234", logs_url: "https://logs/1", started_at: NOW + 5 }, NOW + 10);
    expect(await store.getBuild(buildId)).toMatchObject({ state: "running", external_id: "api-ci:1234", logs_url: "https://logs/1", started_at: NOW + 5, updated_at: NOW + 10, created_at: NOW });
    expect(await store.getBuild(buildId + 1000)).toBeUndefined();
    expect(await store.listBuilds({ limit: 1 })).toHaveLength(1);
  });

  it("stores the supersede key, event time, head ref and trigger of a build", async () => {
    const id = await insertAccepted(store, "d-columns");
    const trigger = { deliveryId: "d-columns", event: "pull_request", action: "synchronize", actor: "octocat" };
    const build = newBuild("api", "api|pr|7|bbb", { eventKind: "pull_request", pullRequest: 7, supersedeKey: "github|acme/api|api|pr#7", eventAt: 1_700_000_000_000, headRef: "feature/x", trigger });
    const { createdBuildIds: [buildId = -1] } = await store.recordRouting(id, { status: "routed", decisions: [{ route: "api", matched: true, reason: "m", build }] }, NOW);

    const row = await store.getBuild(buildId);
    expect(row).toMatchObject({ pull_request: 7, supersede_key: "github|acme/api|api|pr#7", event_at: 1_700_000_000_000, head_ref: "feature/x", phases: "[]" });
    expect(JSON.parse(row?.trigger ?? "")).toEqual(trigger);
  });

  describe("supersede", () => {
    const GROUP = "github|acme/api|api|pr#7";
    let n = 0;
    /** A pull request build of #7 at `sha`, in the supersede group, for an event at `eventAt`. */
    const prBuild = (sha: string, eventAt: number | null, over: Parameters<typeof newBuild>[2] = {}) =>
      newBuild("api", `api|pr|7|${sha}`, { eventKind: "pull_request", pullRequest: 7, sha, supersedeKey: GROUP, eventAt, ...over });
    /** Routes one delivery to `build`; returns the build's id and the delivery's row id. */
    async function route(build: ReturnType<typeof newBuild>, reason = "m"): Promise<{ buildId: number; deliveryId: number }> {
      const deliveryId = await insertAccepted(store, `d-sup-${++n}`);
      const { createdBuildIds: [buildId = -1] } = await store.recordRouting(deliveryId, { status: "routed", decisions: [{ route: build.route, matched: true, reason, build }] }, NOW + n);
      return { buildId, deliveryId };
    }
    /** The jobs routing queued since the last call (claimed, so the next call sees only newer ones), without the deliveries' own jobs. */
    const routingJobs = async () => (await queuedJobs()).filter((j) => j.kind !== JOB.processDelivery);
    const drain = routingJobs;

    it("a new build stops an older pending build of its group, which gets a status report", async () => {
      const { buildId: old } = await route(prBuild("1".repeat(40), 1_000));
      await drain();

      const { buildId: next } = await route(prBuild("2".repeat(40), 2_000));

      expect(await store.getBuild(old)).toMatchObject({ state: "stopped", superseded_by: next });
      expect(await store.getBuild(next)).toMatchObject({ state: "pending", superseded_by: null });
      expect(await routingJobs()).toEqual([
        { kind: JOB.reportStatus, payload: { buildId: old } },
        { kind: JOB.startBuild, payload: { buildId: next } },
        { kind: JOB.reportStatus, payload: { buildId: next } },
      ]);
    });

    it.each<BuildState>(["queued", "running"])("a new build marks an older %s build superseded and queues a stop_build job", async (state) => {
      const { buildId: old } = await route(prBuild("1".repeat(40), 1_000));
      await store.updateBuild(old, BUILD_STATES, { state, external_id: "api-ci:1" }, NOW);
      await drain();

      const { buildId: next } = await route(prBuild("2".repeat(40), 2_000));

      // Still in flight until the stop lands and the tracker sees it.
      expect(await store.getBuild(old)).toMatchObject({ state, superseded_by: next });
      expect(await routingJobs()).toEqual([
        { kind: JOB.stopBuild, payload: { buildId: old } },
        { kind: JOB.startBuild, payload: { buildId: next } },
        { kind: JOB.reportStatus, payload: { buildId: next } },
      ]);
    });

    it.each<BuildState>(["succeeded", "failed", "stopped", "errored", "skipped"])("leaves an older %s build alone", async (state) => {
      const { buildId: old } = await route(prBuild("1".repeat(40), 1_000));
      await store.updateBuild(old, BUILD_STATES, { state }, NOW);
      await drain();

      const { buildId: next } = await route(prBuild("2".repeat(40), 2_000));

      expect(await store.getBuild(old)).toMatchObject({ state, superseded_by: null });
      expect((await routingJobs()).map((j) => j.kind)).toEqual([JOB.startBuild, JOB.reportStatus]);
      expect(next).toBeGreaterThan(old);
    });

    it("supersedes every older in-flight build of the group at once", async () => {
      const { buildId: a } = await route(prBuild("1".repeat(40), 1_000));
      const { buildId: b } = await route(prBuild("2".repeat(40), 2_000)); // supersedes a
      await store.updateBuild(b, BUILD_STATES, { state: "running", external_id: "api-ci:2" }, NOW);
      const { buildId: c } = await route(prBuild("3".repeat(40), 3_000));

      expect(await store.getBuild(a)).toMatchObject({ state: "stopped", superseded_by: b });
      expect(await store.getBuild(b)).toMatchObject({ state: "running", superseded_by: c });
      expect(await store.getBuild(c)).toMatchObject({ state: "pending" });
    });

    it.each([
      { name: "another group", over: { supersedeKey: "github|acme/api|api|pr#8" } },
      { name: "no group (the route keeps every build)", over: { supersedeKey: null } },
    ])("does not touch builds of $name", async ({ over }) => {
      const { buildId: old } = await route(prBuild("1".repeat(40), 1_000));
      await drain();
      await route(prBuild("2".repeat(40), 2_000, over));
      expect(await store.getBuild(old)).toMatchObject({ state: "pending", superseded_by: null });
      expect((await routingJobs()).map((j) => j.kind)).toEqual([JOB.startBuild, JOB.reportStatus]);
    });

    it("a build for an older event than one in its group is born stopped and never starts", async () => {
      const { buildId: newer } = await route(prBuild("2".repeat(40), 2_000));
      await drain();

      // The delivery of an earlier push to the pull request arrives late.
      const { buildId: late, deliveryId } = await route(prBuild("1".repeat(40), 1_000), "matched: pull request #7 (synchronize) into main starts api-ci");

      expect(await store.getBuild(late)).toMatchObject({ state: "stopped", superseded_by: newer, error: "a newer event of this pull request or branch arrived first" });
      expect(await store.getBuild(newer)).toMatchObject({ state: "pending", superseded_by: null });
      expect(await routingJobs()).toEqual([{ kind: JOB.reportStatus, payload: { buildId: late } }]);
      const [decision] = await store.listDecisions(deliveryId);
      expect(decision).toMatchObject({ build_id: late, matched: 1, reason: "matched: pull request #7 (synchronize) into main starts api-ci; superseded before it started (a newer event arrived first)" });
    });

    it("a late build points at the newest build of the group", async () => {
      await route(prBuild("2".repeat(40), 2_000));
      const { buildId: newest } = await route(prBuild("3".repeat(40), 3_000));
      const { buildId: late } = await route(prBuild("1".repeat(40), 1_000));
      expect(await store.getBuild(late)).toMatchObject({ state: "stopped", superseded_by: newest });
    });

    it("a late build is born stopped even when the newer build already finished", async () => {
      const { buildId: newer } = await route(prBuild("2".repeat(40), 2_000));
      await store.updateBuild(newer, BUILD_STATES, { state: "succeeded" }, NOW);
      const { buildId: late } = await route(prBuild("1".repeat(40), 1_000));
      expect(await store.getBuild(late)).toMatchObject({ state: "stopped", superseded_by: newer });
      expect(await store.getBuild(newer)).toMatchObject({ state: "succeeded", superseded_by: null });
    });

    it.each([
      { name: "the new build's event time is unknown", oldAt: 2_000, newAt: null },
      { name: "the old build's event time is unknown", oldAt: null, newAt: 1_000 },
      { name: "both happened at the same time", oldAt: 1_000, newAt: 1_000 },
    ])("without a known older event, the newest delivery wins: $name", async ({ oldAt, newAt }) => {
      const { buildId: old } = await route(prBuild("1".repeat(40), oldAt));
      const { buildId: next } = await route(prBuild("2".repeat(40), newAt));
      expect(await store.getBuild(old)).toMatchObject({ state: "stopped", superseded_by: next });
      expect(await store.getBuild(next)).toMatchObject({ state: "pending" });
    });

    it("a skipped build (the newer commit misses the route's paths) still supersedes the older build, and starts nothing", async () => {
      const { buildId: old } = await route(prBuild("1".repeat(40), 1_000));
      await drain();
      const { buildId: skipped } = await route(prBuild("2".repeat(40), 2_000, { skipped: true }));
      expect(await store.getBuild(old)).toMatchObject({ state: "stopped", superseded_by: skipped });
      expect(await store.getBuild(skipped)).toMatchObject({ state: "skipped" });
      expect(await routingJobs()).toEqual([
        { kind: JOB.reportStatus, payload: { buildId: old } },
        { kind: JOB.reportStatus, payload: { buildId: skipped } },
      ]);
    });
  });

  if (target.name === "postgres") {
    it("records a delivery once when two stores route it at the same time", async () => {
      const other = await open({ url, maxAttempts: 4 });
      for (let round = 0; round < 5; round++) {
        const id = await insertAccepted(store, `d-race-${round}`);
        const key = (r: string) => `${r}|race|${round}`;
        const record: RoutingRecord = { status: "routed", decisions: [{ route: "api", matched: true, reason: "m", build: newBuild("api", key("api")) }] };

        const outcomes = await Promise.all([store.recordRouting(id, record, NOW), other.recordRouting(id, record, NOW)]);

        expect(outcomes.filter((o) => o.recorded)).toHaveLength(1);
        expect(await store.listDecisions(id)).toHaveLength(1);
        expect(await store.listBuilds({ deliveryRowId: id })).toHaveLength(1);
      }
    });
  }
});
