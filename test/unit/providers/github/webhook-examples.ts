import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// Real payloads from GitHub's docs, as packaged by @octokit/webhooks-examples
// (api.github.com/index.json: an array of { name, examples[] }).

interface Definition {
  readonly name: string;
  readonly examples: readonly unknown[];
}

const file = createRequire(import.meta.url).resolve("@octokit/webhooks-examples/api.github.com/index.json");
const definitions = JSON.parse(readFileSync(file, "utf8")) as Definition[];

/** Every event name in the package with all of its examples. */
export const ALL_DEFINITIONS: readonly Definition[] = definitions;

/** The examples of one event, as stored; clone before changing them. */
export function examplesOf(name: string): readonly unknown[] {
  const found = definitions.find((d) => d.name === name);
  if (!found || found.examples.length === 0) throw new Error(`no examples for ${name}`);
  return found.examples;
}

export interface CommitExample {
  id: string;
  message: string;
  added: string[];
  removed: string[];
  modified: string[];
  [key: string]: unknown;
}

/** The fields of a push payload the tests read or change. */
export interface PushExample {
  ref: string;
  before: string;
  after: string;
  created: boolean;
  deleted: boolean;
  commits: CommitExample[];
  head_commit: CommitExample | null;
  repository: { full_name: string; clone_url: string; [key: string]: unknown };
  sender?: { login: string; [key: string]: unknown };
  pusher?: { name: string; [key: string]: unknown };
  [key: string]: unknown;
}

interface RepoExample {
  full_name: string;
  [key: string]: unknown;
}

/** The fields of a pull_request payload the tests read or change. */
export interface PullRequestExample {
  action: string;
  number: number;
  label?: { name: string; [key: string]: unknown };
  changes?: Record<string, unknown>;
  pull_request: {
    state: string;
    draft: boolean;
    merged: boolean | null;
    author_association?: string;
    labels: Array<{ name: string; [key: string]: unknown }>;
    head: { ref: string; sha: string; repo: RepoExample | null; [key: string]: unknown };
    base: { ref: string; sha: string; repo: RepoExample; [key: string]: unknown };
    user: { login: string; [key: string]: unknown } | null;
    [key: string]: unknown;
  };
  repository: { full_name: string; clone_url: string; [key: string]: unknown };
  sender?: { login: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** A fresh copy of the first push example matching `pick`. */
export function pushExample(pick: (p: PushExample) => boolean): PushExample {
  const found = (examplesOf("push") as PushExample[]).find(pick);
  if (!found) throw new Error("no matching push example");
  return structuredClone(found);
}

/** A fresh copy of the first pull_request example with `action`. */
export function pullRequestExample(action: string): PullRequestExample {
  const found = (examplesOf("pull_request") as PullRequestExample[]).find((p) => p.action === action);
  if (!found) throw new Error(`no pull_request example with action ${action}`);
  return structuredClone(found);
}
