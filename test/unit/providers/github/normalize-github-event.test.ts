import { ignoredGithubEventReason, normalizeGithubEvent } from "../../../../src/providers/github/normalize-github-event.js";
import { ALL_DEFINITIONS, examplesOf, pullRequestExample, pushExample } from "./webhook-examples.js";

const CREATE_REASON = "create events are ignored: the push event for the same ref starts builds";
const DELETE_REASON = "delete events are ignored: deleted refs start nothing";

describe("ignoredGithubEventReason", () => {
  it.each([
    { name: "push", want: undefined },
    { name: "pull_request", want: undefined },
    { name: "create", want: CREATE_REASON },
    { name: "delete", want: DELETE_REASON },
    { name: "star", want: "event star is not handled" },
    { name: "issue_comment", want: undefined },
  ])("$name", ({ name, want }) => {
    expect(ignoredGithubEventReason(name)).toBe(want);
  });
});

describe("normalizeGithubEvent: event names", () => {
  it.each([
    { name: "star", want: "event star is not handled" },
    { name: "create", want: CREATE_REASON },
    { name: "delete", want: DELETE_REASON },
    { name: "issues", want: "event issues is not handled" },
  ])("ignores the real $name examples", ({ name, want }) => {
    for (const payload of examplesOf(name)) {
      expect(normalizeGithubEvent(name, payload, "d")).toEqual({ kind: "ignored", reason: want });
    }
  });

  it("does not mistake a pull_request payload sent as another event", () => {
    expect(normalizeGithubEvent("pull_request_review", pullRequestExample("opened"), "d")).toEqual({ kind: "ignored", reason: "event pull_request_review is not handled" });
  });
});

describe("normalizeGithubEvent: malformed payloads are ignored, not thrown", () => {
  const withoutAfter = () => {
    const { after: _after, ...rest } = pushExample((p) => p.ref === "refs/heads/master");
    return rest;
  };
  const withoutPullRequest = () => {
    const { pull_request: _pr, ...rest } = pullRequestExample("opened");
    return rest;
  };
  const withBadNumber = () => ({ ...pullRequestExample("opened"), number: "2" });
  it.each([
    { name: "push without after", event: "push", payload: withoutAfter(), want: /^malformed push payload: after: .+/ },
    { name: "push without repository", event: "push", payload: { ...withoutAfter(), after: "a", repository: undefined }, want: /^malformed push payload: repository: .+/ },
    { name: "push with a non-string commit file", event: "push", payload: { ref: "refs/heads/main", before: "a", after: "b", commits: [{ id: "c", added: [1] }], repository: { full_name: "a/b" } }, want: /^malformed push payload: commits\.0\.added\.0: .+/ },
    { name: "push as null", event: "push", payload: null, want: /^malformed push payload: \(root\): .+/ },
    { name: "push as a string", event: "push", payload: "{}", want: /^malformed push payload: \(root\): .+/ },
    { name: "pull_request without pull_request", event: "pull_request", payload: withoutPullRequest(), want: /^malformed pull_request payload: pull_request: .+/ },
    { name: "pull_request with a string number", event: "pull_request", payload: withBadNumber(), want: /^malformed pull_request payload: number: .+/ },
    { name: "pull_request as an empty object", event: "pull_request", payload: {}, want: /^malformed pull_request payload: \w+: .+/ },
  ])("$name", ({ event, payload, want }) => {
    const result = normalizeGithubEvent(event, payload, "d");
    expect(result.kind).toBe("ignored");
    expect(result.kind === "ignored" && result.reason).toMatch(want);
  });
});

describe("normalizeGithubEvent: every real push and pull_request example", () => {
  const cases = ["push", "pull_request"].flatMap((event) =>
    examplesOf(event).map((payload, i) => {
      const p = payload as { action?: string; ref?: string; deleted?: boolean; repository: { full_name: string } };
      return { name: `${event} #${i} ${p.action ?? p.ref}${p.deleted ? " (deleted)" : ""}`, event, payload: p };
    }),
  );

  it("covers both events", () => {
    expect(cases.filter((c) => c.event === "push").length).toBeGreaterThanOrEqual(5);
    expect(cases.filter((c) => c.event === "pull_request").length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)("$name normalizes to an event or a reason", ({ event, payload }) => {
    const result = normalizeGithubEvent(event, payload, "d-all");
    if (result.kind === "ignored") {
      expect(result.reason).toMatch(/\S/);
      expect(result.reason).not.toMatch(/^malformed/);
    } else {
      if (result.kind !== "event") throw new Error(`expected an event, got ${result.kind}`);
      expect(result.event).toMatchObject({ provider: "github", deliveryId: "d-all", repository: payload.repository.full_name });
      expect(result.event.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(result.event.kind).toBe(event === "push" ? (payload.ref?.startsWith("refs/tags/") ? "tag" : "push") : "pull_request");
    }
    if (payload.deleted) expect(result.kind).toBe("ignored");
  });
});

describe("normalizeGithubEvent: every example of every other event", () => {
  // Routed events have their own tests (issue_comment: normalize-issue-comment.test.ts).
  const routed = new Set(["push", "pull_request", "issue_comment"]);
  const cases = ALL_DEFINITIONS.filter((d) => !routed.has(d.name)).flatMap((d) =>
    d.examples.map((payload, i) => ({ name: `${d.name} #${i}`, event: d.name, payload })),
  );

  it("covers many events", () => {
    expect(new Set(cases.map((c) => c.event)).size).toBeGreaterThan(30);
  });

  it.each(cases)("$name is ignored by name", ({ event, payload }) => {
    const reason = ignoredGithubEventReason(event);
    expect(reason).toMatch(/\S/);
    expect(normalizeGithubEvent(event, payload, "d")).toEqual({ kind: "ignored", reason });
  });
});
