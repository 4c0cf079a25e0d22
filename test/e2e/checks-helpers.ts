import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { finishFakeBuild, type FakeBuild } from "../fakes/codebuild-fake.js";
import { exampleOf } from "../helpers/github-examples.js";

// The check-run suites' setup: a GitHub App's key pair and config, pull request bodies, fake builds' phases.

export const CHECKS_SECRET = "checks-e2e-secret";
const APP_ID = 12345;
const REPO = "Codertocat/Hello-World";
const OTHER = "Octo-Org/Other";

export function appKeys() {
  return generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
}

/** A GitHub App without a fixed installation and no `report` (so: check runs). */
export function writeChecksConfig(dir: string, github: string, codebuild: string, privateKey: string, extra = ""): string {
  writeFileSync(join(dir, "app.pem"), privateKey);
  const path = join(dir, "buildgate.yaml");
  writeFileSync(
    path,
    `
store: { url: "sqlite:${join(dir, "bg.db")}" }
server: { host: 127.0.0.1, publicUrl: "https://buildgate.example" }
github: { webhookSecrets: ["${CHECKS_SECRET}"], apiUrl: "${github}", auth: { appId: ${APP_ID}, privateKeyPath: "${join(dir, "app.pem")}" } }
aws: { region: us-east-1, endpoints: { codebuild: "${codebuild}" }, maxAttempts: 2 }
tracking: { pollIntervalSeconds: 1 }
${extra}
routes:
  - name: web
    source: { github: "${REPO}" }
    on: [pull_request]
    project: web-ci
  - name: other
    source: { github: "${OTHER}" }
    on: [pull_request]
    project: other-ci
`,
  );
  return path;
}

export function prPayload(repo: string, number: number, head: string, installationId: number) {
  const body = exampleOf("pull_request", (e) => e.action === "opened");
  const pr = body.pull_request as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  body.number = number;
  pr.number = number;
  pr.head.sha = head;
  pr.author_association = "OWNER";
  pr.updated_at = new Date().toISOString();
  pr.labels = [];
  pr.base.repo = { ...pr.base.repo, full_name: repo };
  pr.head.repo = { ...pr.head.repo, full_name: repo };
  (body.repository as Record<string, unknown>).full_name = repo;
  body.installation = { id: installationId, node_id: `MDIz${installationId}` };
  return body;
}

/** Puts a fake build into its BUILD phase, started `secondsAgo`. */
export function startPhase(b: FakeBuild, secondsAgo: number): number {
  const started = Date.now() / 1000 - secondsAgo;
  b.startTime = started;
  b.currentPhase = "BUILD";
  b.phases = [
    { phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED", startTime: started, endTime: started + 1, durationInSeconds: 1 },
    { phaseType: "BUILD", startTime: started + 1 },
  ];
  return started;
}

export function failBuild(b: FakeBuild, started: number, command = "npm test"): void {
  b.phases[1] = { phaseType: "BUILD", phaseStatus: "FAILED", startTime: started + 1, endTime: started + 65, durationInSeconds: 64, contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: `Error while executing command: ${command}. Reason: exit status 1` }] };
  finishFakeBuild(b, "FAILED", (started + 65) * 1000);
}

export function succeedBuild(b: FakeBuild, started: number): void {
  b.phases[1] = { phaseType: "BUILD", phaseStatus: "SUCCEEDED", startTime: started + 1, endTime: started + 30, durationInSeconds: 29 };
  finishFakeBuild(b, "SUCCEEDED", (started + 31) * 1000);
}

