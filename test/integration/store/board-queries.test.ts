import pg from "pg";
import { BUILD_STATES, type BuildState } from "../../../src/domain/build-state.js";
import type { BuildFilter } from "../../../src/store/board-queries.js";
import type { BuildRow, Store } from "../../../src/store/store.js";
import { insertAccepted, newBuild } from "../../helpers/store-fixtures.js";
import { queryRaw, storeTargets, trackStores } from "../../helpers/store-targets.js";

const targets = await storeTargets();

interface Planned {
  readonly repository?: string;
  readonly route?: string;
  readonly ref?: string;
  readonly pr?: number;
}

describe.each(targets)("store on $name: board queries", (target) => {
  const open = trackStores();
  let url: string;
  let store: Store;
  let deliveries = 0;
  beforeEach(async () => {
    url = await target.freshUrl();
    store = await open({ url, maxAttempts: 3 });
  });

  /** Routes one delivery at `now` to one build per entry (all heads of one delivery share `now`); returns their ids. */
  async function route(now: number, ...builds: Planned[]): Promise<number[]> {
    const rowId = await insertAccepted(store, `d-${++deliveries}`);
    const decisions = builds.map((b, i) => {
      const { repository = "acme/api", route: name = "ci", ref = "refs/heads/main", pr } = b;
      const dedupeKey = `${repository}|${name}|${ref}|${pr ?? ""}|${deliveries}.${i}`;
      return { route: name, matched: true, reason: "matched", build: newBuild(name, dedupeKey, { repository, ref, pullRequest: pr ?? null }) };
    });
    const outcome = await store.recordRouting(rowId, { status: "routed", decisions }, now);
    return [...outcome.createdBuildIds];
  }

  const lanesOf = async (count: number) => (await store.dashboard(count)).map((l) => ({ repository: l.repository, lane: l.lane, builds: l.builds.map((b) => [b.route, b.id]) }));

  describe("dashboard", () => {
    it("is empty without builds, and for no lanes", async () => {
      expect(await store.dashboard(30)).toEqual([]);
      await route(1_000, {});
      expect(await store.dashboard(0)).toEqual([]);
    });

    it("shows the newest lanes first, each with the newest build of every route, by route name", async () => {
      const [oldCi] = await route(1_000, { route: "ci" });
      const [feature] = await route(2_000, { ref: "refs/heads/feature/x" });
      const [prLint, prCi] = await route(3_000, { route: "lint", pr: 7 }, { route: "ci", pr: 7 });
      const [newCi, deploy] = await route(4_000, { route: "ci" }, { route: "deploy" });
      const [web] = await route(5_000, { repository: "acme/web", route: "ci" });

      expect(await lanesOf(30)).toEqual([
        { repository: "acme/web", lane: "refs/heads/main", builds: [["ci", web]] },
        { repository: "acme/api", lane: "refs/heads/main", builds: [["ci", newCi], ["deploy", deploy]] },
        { repository: "acme/api", lane: "pr#7", builds: [["ci", prCi], ["lint", prLint]] },
        { repository: "acme/api", lane: "refs/heads/feature/x", builds: [["ci", feature]] },
      ]);
      expect(newCi).toBeGreaterThan(oldCi as number);
      expect((await lanesOf(2)).map((l) => l.lane)).toEqual(["refs/heads/main", "refs/heads/main"]);
    });

    it("orders lanes updated at the same time by repository, then lane, both descending", async () => {
      await route(1_000, { repository: "acme/a", ref: "refs/heads/x" }, { repository: "acme/b", ref: "refs/heads/x" }, { repository: "acme/a", ref: "refs/heads/y" }, { repository: "acme/b", pr: 3 });
      await route(500, { repository: "acme/z" });

      const expected = [
        ["acme/b", "refs/heads/x"],
        ["acme/b", "pr#3"],
        ["acme/a", "refs/heads/y"],
        ["acme/a", "refs/heads/x"],
        ["acme/z", "refs/heads/main"],
      ];
      expect((await lanesOf(10)).map((l) => [l.repository, l.lane])).toEqual(expected);
      for (const n of [1, 2, 3, 4]) expect((await lanesOf(n)).map((l) => [l.repository, l.lane])).toEqual(expected.slice(0, n));
    });

    it("finds older lanes behind a lane with more routes than one read of the heads", async () => {
      const routes = Array.from({ length: 150 }, (_, i) => `r${String(i).padStart(3, "0")}`);
      await route(1_000, { repository: "acme/old" });
      await route(2_000, { repository: "acme/other", ref: "refs/heads/dev" });
      // 150 heads at one instant in each of two lanes: the walk resumes inside runs of equal updated_at.
      await route(3_000, ...routes.map((r) => ({ repository: "acme/big", route: r })), ...routes.map((r) => ({ repository: "acme/big", route: r, pr: 1 })));

      const lanes = await lanesOf(4);
      expect(lanes.map((l) => [l.repository, l.lane, l.builds.length])).toEqual([
        ["acme/big", "refs/heads/main", 150],
        ["acme/big", "pr#1", 150],
        ["acme/other", "refs/heads/dev", 1],
        ["acme/old", "refs/heads/main", 1],
      ]);
      expect(lanes[0]?.builds.map(([r]) => r)).toEqual(routes);
    });

    it("moves a lane to the front when it gets a new build, keeping its other routes' heads", async () => {
      const [ci, lint] = await route(1_000, { route: "ci" }, { route: "lint" });
      await route(2_000, { ref: "refs/heads/dev" });
      const [ci2] = await route(3_000, { route: "ci" });

      expect(await lanesOf(30)).toEqual([
        { repository: "acme/api", lane: "refs/heads/main", builds: [["ci", ci2], ["lint", lint]] },
        { repository: "acme/api", lane: "refs/heads/dev", builds: [["ci", expect.any(Number)]] },
      ]);
      expect(ci2).not.toBe(ci);
    });
  });

  describe("inFlight and recentFailures", () => {
    it("list the newest builds in any of their states, newest first, at most the limit", async () => {
      const ids = await route(1_000, ...Array.from({ length: 12 }, (_, i) => ({ ref: `refs/heads/b${i}` })));
      const states: BuildState[] = ["queued", "failed", "running", "errored", "succeeded", "timed_out", "pending", "failed", "stopped", "running", "timed_out", "skipped"];
      for (const [i, id] of ids.entries()) await store.updateBuild(id, BUILD_STATES, { state: states[i]! }, 2_000);
      const idsIn = (wanted: string[]) => ids.filter((_, i) => wanted.includes(states[i]!)).reverse();

      expect((await store.inFlight(20)).map((b) => b.id)).toEqual(idsIn(["pending", "queued", "running"]));
      expect((await store.inFlight(2)).map((b) => b.id)).toEqual(idsIn(["pending", "queued", "running"]).slice(0, 2));
      expect((await store.recentFailures(10)).map((b) => b.id)).toEqual(idsIn(["failed", "errored", "timed_out"]));
      expect((await store.recentFailures(3)).map((b) => b.id)).toEqual(idsIn(["failed", "errored", "timed_out"]).slice(0, 3));
      expect((await store.recentFailures(3))[0]).toMatchObject({ state: "timed_out", ref: "refs/heads/b10", repository: "acme/api" });
    });

    it("are empty when no build is in those states", async () => {
      expect(await store.inFlight(20)).toEqual([]);
      expect(await store.recentFailures(10)).toEqual([]);
    });
  });

  describe("listBuildsPage", () => {
    let all: BuildRow[];
    beforeEach(async () => {
      const plans: Planned[] = [];
      for (let i = 0; i < 48; i++) plans.push({ repository: `acme/r${i % 3}`, route: ["ci", "lint"][i % 2], ref: i % 5 === 0 ? "refs/heads/dev" : "refs/heads/main", ...(i % 7 === 0 ? { pr: i } : {}) });
      const ids = await route(1_000, ...plans);
      const states: BuildState[] = ["succeeded", "failed", "running", "succeeded", "stopped"];
      for (const [i, id] of ids.entries()) await store.updateBuild(id, BUILD_STATES, { state: states[i % states.length]! }, 2_000);
      all = await store.listBuildsPage({ limit: 1_000 });
    });

    /** Every build the filter finds, read 4 at a time along the `before` cursor. */
    async function pageThrough(filter: Omit<BuildFilter, "limit">): Promise<number[]> {
      const got: number[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await store.listBuildsPage({ ...filter, ...(before !== undefined ? { before } : {}), limit: 4 });
        got.push(...page.map((b) => b.id));
        if (page.length < 4) return got;
        before = page[page.length - 1]?.id;
      }
    }

    const filters: Array<Omit<BuildFilter, "limit">> = [
      {},
      { repository: "acme/r1" },
      { route: "lint" },
      { ref: "refs/heads/dev" },
      { state: "failed" },
      { repository: "acme/r2", ref: "refs/heads/main" },
      { repository: "acme/r0", state: "succeeded" },
      { route: "ci", ref: "refs/heads/dev" },
      { route: "ci", state: "stopped" },
      { ref: "refs/heads/main", state: "running" },
      { repository: "acme/r1", route: "lint", ref: "refs/heads/main", state: "succeeded" },
      { repository: "acme/none" },
      { ref: "refs/heads/none", state: "failed" },
    ];

    it.each(filters)("pages through %j newest first, 4 at a time", async (filter) => {
      const want = all.filter((b) => Object.entries(filter).every(([k, v]) => b[k as keyof BuildRow] === v)).map((b) => b.id);
      expect(await pageThrough(filter)).toEqual(want);
    });

    // Issue 13: what the pages show. Repositories in any case; a lane name (branch or tag); a pull request number.
    it.each<[string, Omit<BuildFilter, "limit">, (b: BuildRow) => boolean]>([
      ["a repository in another case", { repository: "ACME/R1" }, (b) => b.repository === "acme/r1"],
      ["a repository in another case, with a state", { repository: "Acme/R0", state: "succeeded" }, (b) => b.repository === "acme/r0" && b.state === "succeeded"],
      ["a repository in another case, with a ref", { repository: "acme/R2", ref: "refs/heads/main" }, (b) => b.repository === "acme/r2" && b.ref === "refs/heads/main"],
      ["either of two refs", { ref: ["refs/heads/dev", "refs/tags/dev"] }, (b) => b.ref === "refs/heads/dev"],
      ["either of two refs, one of them shared by most builds", { ref: ["refs/heads/main", "refs/heads/dev"], route: "lint" }, (b) => b.route === "lint"],
      ["a pull request", { pullRequest: 14 }, (b) => b.pull_request === 14],
      ["a pull request of a repository in another case", { repository: "ACME/r0", pullRequest: 21 }, (b) => b.pull_request === 21 && b.repository === "acme/r0"],
      ["a pull request of another repository", { repository: "acme/r1", pullRequest: 21 }, () => false],
      ["no ref at all", { ref: [] }, () => false],
      ["a lane: either of two refs, no pull request", { ref: ["refs/heads/main", "refs/tags/main"], pullRequest: null }, (b) => b.ref === "refs/heads/main" && b.pull_request === null],
    ])("pages through %s, newest first, 4 at a time", async (_name, filter, match) => {
      const want = all.filter(match).map((b) => b.id);
      expect(await pageThrough(filter)).toEqual(want);
    });

    it("holds every build, newest first", () => {
      expect(all).toHaveLength(48);
      expect(all.map((b) => b.id)).toEqual([...all.map((b) => b.id)].sort((a, b) => b - a));
    });
  });

  it("listDeliveriesPage filters by source and outcome together", async () => {
    const github = [await insertAccepted(store, "g-1"), await insertAccepted(store, "g-2"), await insertAccepted(store, "g-3")];
    const sns = await insertAccepted(store, "s-1", { source: "sns" });
    await store.markDeliveryFailed(github[1] as number, "bad payload", 2_000);
    await store.markDeliveryFailed(sns, "bad payload", 2_000);

    expect((await store.listDeliveriesPage({ source: "github", status: "failed", limit: 10 })).map((d) => d.id)).toEqual([github[1]]);
    expect((await store.listDeliveriesPage({ source: "github", status: "received", limit: 10 })).map((d) => d.id)).toEqual([github[2], github[0]]);
    expect((await store.listDeliveriesPage({ status: "failed", limit: 10 })).map((d) => d.id)).toEqual([sns, github[1]]);
    expect((await store.listDeliveriesPage({ source: "sns", status: "received", limit: 10 })).map((d) => d.id)).toEqual([]);
  });

  // The planner's choice is what makes these fast at a million rows; SQLite (no ANALYZE, as
  // buildgate runs it) must walk an index in id order: no sort, no table scan.
  if (target.name === "sqlite") {
    it.each([
      ["select * from builds where lower(repository) = lower('A') order by id desc limit 51", "builds_repository_lower_id"],
      ["select * from builds where lower(repository) = lower('A') and id < 9 order by id desc limit 51", "builds_repository_lower_id"],
      ["select * from builds where lower(repository) = lower('A') and pull_request = 12 order by id desc limit 51", "builds_repository_lower_pull_request_id"],
      ["select * from builds where pull_request = 12 order by id desc limit 51", "builds_pull_request_id"],
      ["select * from builds where ref = 'r' order by id desc limit 51", "builds_ref_id"],
      ["select * from builds where route = 'ci' and ref = 'r' order by id desc limit 51", "builds_route_ref_id"],
      ["select * from builds where lower(repository) = lower('A') and state = 'failed' order by id desc limit 51", "builds_repository_lower_state_id"],
      ["select * from builds where lower(repository) = lower('A') and ref = 'r' order by id desc limit 51", "builds_repository_lower_ref_id"],
      ["select * from builds where state = 'failed' order by id desc limit 51", "builds_state"],
      ["select id from builds where state = 'running' order by id desc limit 20", "builds_state"],
      ["select * from builds where route = 'ci' and ref = 'r' and pull_request is null and state != 'skipped' order by id desc limit 1", "builds_route_ref_id"],
      ["select * from deliveries where source = 'github' and status = 'failed' order by id desc limit 51", "deliveries_source_status_id"],
      ["select updated_at, repository, lane, route from build_heads order by updated_at desc, repository desc, lane desc, route desc limit 64", "build_heads_recent"],
      ["select updated_at, repository, lane, route from build_heads where (updated_at, repository, lane, route) < (1, 'a', 'b', 'c') order by updated_at desc, repository desc, lane desc, route desc limit 64", "build_heads_recent"],
    ])("%s walks %s", async (query, index) => {
      const plan = (await queryRaw<{ detail: string }>(url, `explain query plan ${query}`)).map((r) => r.detail).join(" | ");
      expect(plan).toMatch(new RegExp(`INDEX ${index}\\b`));
      expect(plan).not.toMatch(/TEMP B-TREE|SCAN (builds|deliveries)\b(?! USING)/);
    });
  }

  // PostgreSQL plans by statistics (an empty table is scanned whatever its indexes): with
  // sequential scans priced out, the case-insensitive repository and pull request filters must
  // still find an index on their expression (migration 008), as at a million builds.
  if (target.name === "postgres") {
    it.each([
      ["select * from builds where lower(repository) = lower($1) order by id desc limit 51", "builds_repository_lower_id", ["Acme/API"]],
      ["select * from builds where lower(repository) = lower($1) and state = $2 order by id desc limit 51", "builds_repository_lower_state_id", ["Acme/API", "failed"]],
      ["select * from builds where lower(repository) = lower($1) and ref = $2 order by id desc limit 51", "builds_repository_lower_ref_id", ["Acme/API", "refs/heads/main"]],
      ["select * from builds where pull_request = $1 order by id desc limit 51", "builds_pull_request_id", [12]],
      ["select * from builds where lower(repository) = lower($1) and pull_request = $2 order by id desc limit 51", "builds_repository_lower_pull_request_id", ["Acme/API", 12]],
    ])("%s uses %s", async (query, index, params) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query("set enable_seqscan = off");
        const plan = (await client.query<{ "QUERY PLAN": string }>(`explain ${query}`, params)).rows.map((r) => r["QUERY PLAN"]).join(" | ");
        expect(plan).toMatch(new RegExp(`Index Scan( Backward)? using ${index}\\b`));
        expect(plan).not.toMatch(/Sort|Seq Scan/);
      } finally {
        await client.end();
      }
    });
  }
});
