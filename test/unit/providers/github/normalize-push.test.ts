import type { NormalizeResult, SourceEvent } from "../../../../src/domain/source-event.js";
import { normalizeGithubEvent } from "../../../../src/providers/github/normalize-github-event.js";
import { changedFilesOfPush } from "../../../../src/providers/github/normalize-push.js";
import { PushPayload } from "../../../../src/providers/github/payload-schemas.js";
import { type CommitExample, pushExample, type PushExample } from "./webhook-examples.js";

const ZERO = "0000000000000000000000000000000000000000";
const COMMIT = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

const branchPush = () => pushExample((p) => p.ref === "refs/heads/master" && !p.deleted);
const tagPush = () => pushExample((p) => p.ref.startsWith("refs/tags/") && !p.deleted);
const tagDelete = () => pushExample((p) => p.ref.startsWith("refs/tags/") && p.deleted);

function eventOf(result: NormalizeResult): SourceEvent {
  if (result.kind !== "event") throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

const normalize = (payload: unknown) => normalizeGithubEvent("push", payload, "d-1");

const commit = (id: string, files: Partial<Pick<CommitExample, "added" | "removed" | "modified">>): CommitExample => ({
  id,
  message: `commit ${id}`,
  added: [],
  removed: [],
  modified: [],
  ...files,
});

describe("normalizeGithubEvent: push", () => {
  it("turns a branch push into a push event", () => {
    expect(eventOf(normalize(branchPush()))).toEqual({
      provider: "github",
      deliveryId: "d-1",
      repository: "Codertocat/Hello-World",
      kind: "push",
      action: "pushed",
      ref: "refs/heads/master",
      branch: "master",
      sha: COMMIT,
      beforeSha: ZERO,
      actor: "Codertocat",
      headCommitMessage: "Initial commit",
      changedFiles: ["README.md"],
      cloneUrl: "https://github.com/Codertocat/Hello-World.git",
      // head_commit.timestamp "2019-05-15T15:19:25Z"
      occurredAt: Date.UTC(2019, 4, 15, 15, 19, 25),
    });
  });

  it.each([
    { name: "a timestamp with an offset", timestamp: "2019-05-15T11:19:25-04:00", want: Date.UTC(2019, 4, 15, 15, 19, 25) },
    { name: "an unparseable timestamp", timestamp: "yesterday", want: undefined },
    { name: "no timestamp", timestamp: undefined, want: undefined },
  ])("occurredAt from $name", ({ timestamp, want }) => {
    const payload = branchPush();
    if (!payload.head_commit) throw new Error("expected a head commit");
    if (timestamp === undefined) delete payload.head_commit.timestamp;
    else payload.head_commit.timestamp = timestamp;
    expect(eventOf(normalize(payload)).occurredAt).toBe(want);
  });

  it("turns a tag push into a tag event without branch or changed files", () => {
    const event = eventOf(normalize(tagPush()));
    expect(event).toMatchObject({ kind: "tag", action: "pushed", ref: "refs/tags/simple-tag", tag: "simple-tag", sha: COMMIT, repository: "Codertocat/Hello-World" });
    expect(event.branch).toBeUndefined();
    expect(event.changedFiles).toBeUndefined();
  });

  it("builds the commit an annotated tag points at, not the tag object", () => {
    const payload = tagPush();
    payload.after = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    expect(eventOf(normalize(payload)).sha).toBe(COMMIT);
  });

  it("uses after for a tag push without head_commit", () => {
    const payload = tagPush();
    payload.head_commit = null;
    expect(eventOf(normalize(payload)).sha).toBe(COMMIT);
    expect(eventOf(normalize(payload)).headCommitMessage).toBeUndefined();
  });

  it("uses after, not head_commit, for a branch push", () => {
    const payload = branchPush();
    payload.after = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    expect(eventOf(normalize(payload)).sha).toBe("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
  });

  it("falls back to the pusher when there is no sender", () => {
    const payload = branchPush();
    delete payload.sender;
    expect(eventOf(normalize(payload)).actor).toBe("Codertocat");
    delete payload.pusher;
    expect(eventOf(normalize(payload)).actor).toBe("unknown");
  });

  it.each<{ name: string; change: (p: PushExample) => void; want: string }>([
    { name: "deleted tag", change: () => undefined, want: "tag refs/tags/simple-tag was deleted" },
    { name: "deleted branch", change: (p) => (p.ref = "refs/heads/feature/x"), want: "branch refs/heads/feature/x was deleted" },
    { name: "all-zero after without the deleted flag", change: (p) => (p.deleted = false), want: "tag refs/tags/simple-tag was deleted" },
    { name: "a ref that is neither branch nor tag", change: (p) => (p.ref = "refs/notes/commits"), want: "ref refs/notes/commits is neither a branch nor a tag" },
  ])("ignores: $name", ({ change, want }) => {
    const payload = tagDelete();
    change(payload);
    expect(normalize(payload)).toEqual({ kind: "ignored", reason: want });
  });

  it("ignores a pull request ref push", () => {
    const payload = branchPush();
    payload.ref = "refs/pull/2/head";
    expect(normalize(payload)).toEqual({ kind: "ignored", reason: "ref refs/pull/2/head is neither a branch nor a tag" });
  });

  it("keeps slashes in branch names", () => {
    const payload = branchPush();
    payload.ref = "refs/heads/release/1.0";
    expect(eventOf(normalize(payload))).toMatchObject({ branch: "release/1.0", ref: "refs/heads/release/1.0" });
  });

  it.each<{ name: string; commits: CommitExample[]; want: string[] | undefined }>([
    { name: "no commits (a new branch on an existing commit)", commits: [], want: undefined },
    { name: "one commit", commits: [commit("a", { added: ["x.ts"], modified: ["y.ts"], removed: ["z.ts"] })], want: ["x.ts", "y.ts", "z.ts"] },
    {
      name: "files of all commits, each once",
      commits: [commit("a", { added: ["a.ts"], modified: ["b.ts"] }), commit("b", { modified: ["b.ts"], removed: ["c.ts"] })],
      want: ["a.ts", "b.ts", "c.ts"],
    },
    { name: "a commit with empty file arrays", commits: [commit("a", { added: ["a.ts"] }), commit("b", {})], want: undefined },
    { name: "2047 commits", commits: Array.from({ length: 2047 }, (_, i) => commit(String(i), { modified: [`f${i % 3}`] })), want: ["f0", "f1", "f2"] },
    { name: "2048 commits (may be truncated)", commits: Array.from({ length: 2048 }, (_, i) => commit(String(i), { modified: ["f"] })), want: undefined },
  ])("changed files: $name", ({ commits, want }) => {
    const payload = branchPush();
    payload.commits = commits;
    const files = eventOf(normalize(payload)).changedFiles;
    expect(files === undefined ? undefined : [...files].sort()).toEqual(want);
    expect(changedFilesOfPush(PushPayload.parse(payload))?.sort()).toEqual(want);
  });

  it("treats commits without file arrays as unknown changes", () => {
    const payload = branchPush();
    payload.commits = [{ id: "a", message: "m" } as CommitExample];
    expect(eventOf(normalize(payload)).changedFiles).toBeUndefined();
  });
});
