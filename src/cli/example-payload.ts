import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const EXAMPLES = fileURLToPath(new URL("../../config/examples/", import.meta.url));

export interface TestEventOptions {
  readonly repo: string;
  readonly branch: string;
  readonly files: readonly string[];
}

type Json = Record<string, unknown>;

function retarget(repository: Json, repo: string): void {
  const [owner = "", name = ""] = repo.split("/");
  repository.full_name = repo;
  repository.name = name;
  (repository.owner as Json).login = owner;
  repository.clone_url = `https://github.com/${repo}.git`;
}

/**
 * A real GitHub example body (from @octokit/webhooks-examples, shipped in config/examples),
 * pointed at the given repository, branch and files, with a fresh commit SHA so every test
 * delivery builds.
 */
export function examplePayload(event: "push" | "pull_request", o: TestEventOptions): Json {
  const body = JSON.parse(readFileSync(`${EXAMPLES}${event}.json`, "utf8")) as Json;
  const sha = randomBytes(20).toString("hex");
  retarget(body.repository as Json, o.repo);
  if (event === "push") {
    body.ref = `refs/heads/${o.branch}`;
    body.before = body.after;
    body.after = sha;
    const commit = { ...(body.head_commit as Json), id: sha, message: "buildgate send-test", timestamp: new Date().toISOString(), added: [...o.files], removed: [], modified: [] };
    body.head_commit = commit;
    body.commits = [commit];
    return body;
  }
  const pr = body.pull_request as Json;
  const number = 1000 + Math.floor(Math.random() * 9000);
  body.number = number;
  pr.number = number;
  pr.updated_at = new Date().toISOString();
  pr.author_association = "OWNER";
  pr.draft = false;
  (pr.head as Json).sha = sha;
  (pr.base as Json).ref = o.branch;
  retarget((pr.head as Json).repo as Json, o.repo);
  retarget((pr.base as Json).repo as Json, o.repo);
  return body;
}
