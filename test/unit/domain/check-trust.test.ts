import { checkTrust } from "../../../src/domain/check-trust.js";
import type { TrustRule } from "../../../src/domain/route-rule.js";
import type { SourceEvent } from "../../../src/domain/source-event.js";
import { DEFAULT_TRUST, pullRequestEvent, pushEvent } from "./builders.js";

const fork = { fromFork: true, headRepository: "stranger/api" };

describe("checkTrust", () => {
  it.each<{ name: string; trust?: Partial<TrustRule>; event: SourceEvent; want: string | undefined }>([
    { name: "push events need no trust", event: pushEvent("main"), want: undefined },
    { name: "same-repo pull request by a MEMBER builds", event: pullRequestEvent("main"), want: undefined },
    { name: "same-repo pull request by the OWNER builds", event: pullRequestEvent("main", { authorAssociation: "OWNER" }), want: undefined },
    {
      name: "fork pull request waits for the label",
      event: pullRequestEvent("main", fork),
      want: "pull request #7 comes from fork stranger/api: waiting for label ok-to-test",
    },
    {
      name: "pull request from a deleted fork waits for the label",
      event: pullRequestEvent("main", { fromFork: true, headRepository: null }),
      want: "pull request #7 comes from fork (deleted): waiting for label ok-to-test",
    },
    { name: "fork pull request by a MEMBER builds when forks are allowed", trust: { allowForks: true }, event: pullRequestEvent("main", fork), want: undefined },
    {
      name: "fork pull request by NONE still needs the label when forks are allowed",
      trust: { allowForks: true },
      event: pullRequestEvent("main", { ...fork, authorAssociation: "NONE" }),
      want: "pull request #7 author is NONE, not one of [OWNER, MEMBER, COLLABORATOR]: waiting for label ok-to-test",
    },
    {
      name: "same-repo pull request by a CONTRIBUTOR waits for the label",
      event: pullRequestEvent("main", { authorAssociation: "CONTRIBUTOR" }),
      want: "pull request #7 author is CONTRIBUTOR, not one of [OWNER, MEMBER, COLLABORATOR]: waiting for label ok-to-test",
    },
    {
      name: "custom associations and label appear in the reason",
      trust: { associations: ["OWNER"], okToTestLabel: "safe-to-test" },
      event: pullRequestEvent("main", { authorAssociation: "MEMBER" }),
      want: "pull request #7 author is MEMBER, not one of [OWNER]: waiting for label safe-to-test",
    },
    { name: "fork pull request by NONE with the label builds", event: pullRequestEvent("main", { ...fork, authorAssociation: "NONE", labels: ["bug", "ok-to-test"] }), want: undefined },
    {
      name: "a different label does not count",
      event: pullRequestEvent("main", { ...fork, labels: ["bug"] }),
      want: "pull request #7 comes from fork stranger/api: waiting for label ok-to-test",
    },
    {
      name: "the default label does not count when another is configured",
      trust: { okToTestLabel: "safe-to-test" },
      event: pullRequestEvent("main", { ...fork, labels: ["ok-to-test"] }),
      want: "pull request #7 comes from fork stranger/api: waiting for label safe-to-test",
    },
  ])("$name", ({ trust, event, want }) => {
    expect(checkTrust({ ...DEFAULT_TRUST, ...trust }, event)).toBe(want);
  });
});
