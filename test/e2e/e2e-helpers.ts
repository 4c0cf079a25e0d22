import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { signGithub } from "../helpers/sign.js";
import type { RunningBuildgate } from "./spawn-buildgate.js";

/** Posts a signed GitHub delivery to a running buildgate. */
export async function deliverGithub(gate: RunningBuildgate, secret: string, event: string, payload: unknown, deliveryId: string = randomUUID()): Promise<{ status: number; deliveryId: string }> {
  const body = JSON.stringify(payload);
  const res = await fetch(`${gate.url}/webhooks/github`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": deliveryId, "x-hub-signature-256": signGithub(secret, body) },
    body,
  });
  await res.arrayBuffer();
  return { status: res.status, deliveryId };
}

/** Polls `fn` until it returns something truthy. */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The config of the CodeBuild e2e suites: SQLite in `dir`, the webhook secret from E2E_SECRET,
 * CodeBuild at `codebuildUrl`, and one push route `hello` (master → hello-ci). `jobs` and
 * `routeEnv` add to it.
 */
export function writeCodeBuildConfig(dir: string, codebuildUrl: string, o: { jobs?: string; routeEnv?: string } = {}): string {
  const path = join(dir, "buildgate.yaml");
  writeFileSync(
    path,
    `
store: { url: "sqlite:${join(dir, "bg.db")}" }
server: { host: 127.0.0.1 }
github: { webhookSecrets: ["\${E2E_SECRET}"] }
aws: { region: us-east-1, endpoints: { codebuild: "${codebuildUrl}" }, maxAttempts: 3 }
jobs: { concurrency: 4, maxAttempts: 5, leaseSeconds: 30${o.jobs ? `, ${o.jobs}` : ""} }
routes:
  - name: hello
    source: { github: "Codertocat/Hello-World" }
    on: [push]
    branches: [master]
    project: hello-ci
${o.routeEnv ? `    env: ${o.routeEnv}\n` : ""}`,
  );
  return path;
}
