import { installationOf, normalizeGithubDelivery, normalizeGithubEvent } from "../../../../src/providers/github/normalize-github-event.js";
import { exampleOf } from "../../../helpers/github-examples.js";

describe("the installation of a GitHub App delivery", () => {
  it.each([
    { name: "an App delivery", payload: { installation: { id: 678, node_id: "x" } }, want: 678 },
    { name: "a repository webhook (no installation)", payload: {}, want: undefined },
    { name: "a string id", payload: { installation: { id: "678" } }, want: undefined },
    { name: "zero", payload: { installation: { id: 0 } }, want: undefined },
    { name: "not an object", payload: null, want: undefined },
  ])("$name", ({ payload, want }) => {
    expect(installationOf(payload)).toBe(want);
  });

  it("rides on the event a push becomes, and on a comment command", () => {
    const push = { ...exampleOf("push", (e) => typeof e.ref === "string" && e.ref.startsWith("refs/heads/") && e.deleted === false), installation: { id: 910 } };
    const result = normalizeGithubDelivery("push", push, "d-1");
    expect(result).toEqual({ kind: "event", event: { ...(normalizeGithubEvent("push", push, "d-1") as { event: object }).event, installationId: 910 } });

    const comment = exampleOf("issue_comment", (e) => e.action === "created");
    Object.assign(comment.issue as object, { pull_request: { url: "u" }, state: "open" });
    Object.assign(comment.comment as object, { body: "/retest" });
    const command = normalizeGithubDelivery("issue_comment", { ...comment, installation: { id: 910 } }, "d-2");
    expect(command.kind === "command" && command.request.installationId).toBe(910);
  });
});
