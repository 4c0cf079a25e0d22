// Real GitHub example payloads (@octokit/webhooks-examples), serialized as GitHub sends them, and signed.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
export const SECRET = "bench-webhook-secret-0123456789abcdef";
export const REPOSITORY = "Codertocat/Hello-World";

let definitions;
function examplesOf(event) {
  definitions ??= JSON.parse(readFileSync(require.resolve("@octokit/webhooks-examples/api.github.com/index.json"), "utf8"));
  const def = definitions.find((d) => d.name === event);
  if (!def) throw new Error(`no examples for ${event}`);
  return JSON.parse(JSON.stringify(def.examples));
}

const largest = (examples) => examples.reduce((a, b) => (JSON.stringify(b).length > JSON.stringify(a).length ? b : a));

/** The largest push to a branch (7.7 KB). */
export const pushExample = () => largest(examplesOf("push").filter((e) => String(e.ref).startsWith("refs/heads/")));

/** The largest pull_request that builds (opened/synchronize/reopened: 24 KB). */
export const pullRequestExample = () => largest(examplesOf("pull_request").filter((e) => ["opened", "synchronize", "reopened"].includes(e.action)));

/** `sha256=` + hex HMAC-SHA256 over the exact bytes, as GitHub signs. */
export const signGithub = (body, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

/** The two ingest payloads, as bytes with their signature. */
export function ingestPayloads() {
  return [
    { name: "push", event: "push", body: JSON.stringify(pushExample()) },
    { name: "pull_request", event: "pull_request", body: JSON.stringify(pullRequestExample()) },
  ].map((p) => ({ ...p, bytes: Buffer.byteLength(p.body), signature: signGithub(p.body) }));
}

/** A push of a new commit (unique sha per `n`), so every delivery builds once. */
export function uniquePush(base, n, tag) {
  const sha = createHmac("sha1", tag).update(String(n)).digest("hex");
  const body = JSON.parse(JSON.stringify(base));
  body.after = sha;
  body.head_commit.id = sha;
  if (body.commits[0]) body.commits[0].id = sha;
  return { sha, body: JSON.stringify(body) };
}
