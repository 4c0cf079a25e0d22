import { REBUILD_RESET, rebuildBase, rebuildKey, rebuildOf } from "../../../src/domain/rebuild.js";

const KEY = "github|acme/api|api|push|refs/heads/main|abc";

describe("rebuild keys", () => {
  it.each([
    { name: "a first rebuild", key: KEY, count: 1, want: `${KEY}|rebuild:1` },
    { name: "a rebuild of a rebuild counts with its original", key: `${KEY}|rebuild:1`, count: 2, want: `${KEY}|rebuild:2` },
    { name: "only a trailing rebuild suffix is dropped", key: `${KEY}|rebuild:x`, count: 1, want: `${KEY}|rebuild:x|rebuild:1` },
  ])("$name", ({ key, count, want }) => {
    expect(rebuildKey(key, count)).toBe(want);
  });

  it.each([
    { key: KEY, want: KEY },
    { key: `${KEY}|rebuild:12`, want: KEY },
  ])("the base of $key is the original key", ({ key, want }) => {
    expect(rebuildBase(key)).toBe(want);
  });
});

describe("rebuildOf", () => {
  it("is born pending, carries its own key in BUILDGATE_BUILD_KEY and says who asked", () => {
    const next = rebuildOf({ id: 7, dedupeKey: KEY, env: { STAGE: "ci", BUILDGATE_BUILD_KEY: KEY } }, 3, "octocat");
    expect(next).toEqual({
      dedupeKey: `${KEY}|rebuild:3`,
      state: "pending",
      env: { STAGE: "ci", BUILDGATE_BUILD_KEY: `${KEY}|rebuild:3` },
      trigger: { rebuildOf: 7, actor: "octocat" },
    });
  });

  it("resets everything the old run produced", () => {
    expect(Object.keys(REBUILD_RESET).sort()).toEqual(
      ["current_phase", "ended_at", "error", "external_id", "external_status", "first_start_at", "logs_url", "phases", "polled_at", "resolved_sha", "started_at", "superseded_by"].sort(),
    );
    expect(REBUILD_RESET.phases).toBe("[]");
  });
});
