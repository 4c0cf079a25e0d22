import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCodeBuildFake, type CodeBuildFake } from "../fakes/codebuild-fake.js";
import { pushExample } from "../helpers/github-examples.js";
import { sampleOf } from "../helpers/prometheus.js";
import { signGithub } from "../helpers/sign.js";
import { deliverGithub, sleep, waitFor, writeCodeBuildConfig } from "./e2e-helpers.js";
import { spawnBuildgate, type RunningBuildgate } from "./spawn-buildgate.js";

const SECRET = "e2e-secret-0123456789";
const SHA = "c".repeat(40);

const writeConfig = (dir: string, codebuildUrl: string, drainSeconds: number) => writeCodeBuildConfig(dir, codebuildUrl, { jobs: `drainSeconds: ${drainSeconds}` });

const env = { E2E_SECRET: SECRET };
const startCalls = (fake: CodeBuildFake) => fake.calls.filter((c) => c.op === "StartBuild");

/** The state of the delivery's build, read through the API. */
async function buildState(gate: RunningBuildgate, deliveryId: string): Promise<string | undefined> {
  const res = await fetch(`${gate.url}/api/deliveries/${deliveryId}/explain`);
  if (res.status !== 200) return undefined;
  const body = (await res.json()) as { deliveries: Array<{ builds: Array<{ state: string }> }> };
  return body.deliveries[0]?.builds[0]?.state;
}

/** A signed delivery on its own connection whose body is sent in two halves: `finish` sends the rest and resolves with the status. */
function startSlowDelivery(url: string, payload: unknown): { deliveryId: string; finish(): Promise<number> } {
  const body = JSON.stringify(payload);
  const deliveryId = randomUUID();
  const { hostname, port } = new URL(url);
  const req = http.request({ host: hostname, port, path: "/webhooks/github", method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-github-event": "push", "x-github-delivery": deliveryId, "x-hub-signature-256": signGithub(SECRET, body) } });
  const status = new Promise<number>((resolve, reject) => {
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
  });
  req.write(body.slice(0, 200));
  return {
    deliveryId,
    finish() {
      req.end(body.slice(200));
      return status;
    },
  };
}

/** SIGTERM; resolves with the exit code and how long the process took to exit. */
async function terminate(gate: RunningBuildgate): Promise<{ code: number | null; ms: number }> {
  const began = Date.now();
  const code = await gate.stop();
  return { code, ms: Date.now() - began };
}

describe("e2e: SIGTERM while a build is being started", () => {
  let dir: string;
  let fake: CodeBuildFake;
  let gate: RunningBuildgate | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-e2e-term-"));
    fake = await startCodeBuildFake({ projects: ["hello-ci"] });
  });
  afterEach(async () => {
    await gate?.kill9();
    gate = undefined;
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("finishes the slow StartBuild and the delivery in flight, refuses new ones with 503, exits 0; after a restart each commit has one build", async () => {
    const config = writeConfig(dir, fake.url, 20);
    fake.delayNext(1, "StartBuild", 1_500);
    gate = await spawnBuildgate(config, env);
    const { status, deliveryId } = await deliverGithub(gate, SECRET, "push", pushExample({ after: SHA }));
    expect(status).toBe(202);
    await waitFor("StartBuild", () => startCalls(fake).length === 1);

    // A delivery still being received when the signal comes: half its body is sent.
    const slow = startSlowDelivery(gate.url, pushExample({ after: "e".repeat(40) }));
    await sleep(200);
    const exit = terminate(gate);
    // Draining while that request is in flight: /readyz fails, a new delivery gets 503 + Retry-After.
    await waitFor("/readyz to fail", async () => (await fetch(`${gate!.url}/readyz`)).status === 503);
    const late = await fetch(`${gate.url}/webhooks/github`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(late.status).toBe(503);
    expect(late.headers.get("retry-after")).toBe("10");
    // The delivery in flight finishes and is acknowledged.
    expect(await slow.finish()).toBe(202);
    const { code, ms } = await exit;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(25_000);
    expect(gate.output()).not.toContain("released to the queue");
    expect(gate.output()).toContain('"msg":"shut down"');

    gate = await spawnBuildgate(config, env);
    // The restart builds the delivery acknowledged while draining; each commit was started once.
    for (const id of [deliveryId, slow.deliveryId]) await waitFor(`build of ${id}`, async () => (await buildState(gate!, id)) === "queued");
    await sleep(300);
    const shas = startCalls(fake).map((c) => (c.body.environmentVariablesOverride as Array<{ name: string; value: string }>).find((v) => v.name === "BUILDGATE_SHA")?.value);
    expect(shas.sort()).toEqual([SHA, "e".repeat(40)]);
    expect(fake.builds.size).toBe(2);
    const metrics = await (await fetch(`${gate.url}/metrics`)).text();
    expect(sampleOf(metrics, "buildgate_builds", { state: "queued" })).toBe(2);
  });

  it("releases a StartBuild that outlasts jobs.drainSeconds and exits 0; the restart starts it once (same idempotency token)", async () => {
    const config = writeConfig(dir, fake.url, 1);
    fake.holdNext(1, "StartBuild");
    gate = await spawnBuildgate(config, env);
    const { deliveryId } = await deliverGithub(gate, SECRET, "push", pushExample({ after: SHA }));
    await waitFor("StartBuild", () => startCalls(fake).length === 1);

    const { code, ms } = await terminate(gate);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(6_000);
    expect(gate.output()).toMatch(/"released":1.*"msg":"jobs still running at shutdown were released to the queue"/);

    gate = await spawnBuildgate(config, env);
    await waitFor("the build to be queued", async () => (await buildState(gate!, deliveryId)) === "queued");
    const calls = startCalls(fake);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.body.idempotencyToken).toBe(calls[0]?.body.idempotencyToken);
    expect(fake.builds.size).toBe(1);
  });

  it("exits 1 at once on a second signal", async () => {
    const config = writeConfig(dir, fake.url, 20);
    fake.holdNext(1, "StartBuild");
    gate = await spawnBuildgate(config, env);
    await deliverGithub(gate, SECRET, "push", pushExample({ after: SHA }));
    await waitFor("StartBuild", () => startCalls(fake).length === 1);
    const exit = terminate(gate);
    await waitFor("draining", () => gate!.output().includes('"msg":"draining'));
    gate.proc.kill("SIGINT");
    const { code, ms } = await exit;
    expect(code).toBe(1);
    expect(ms).toBeLessThan(5_000);
    expect(gate.output()).toContain("second signal: exiting now");
  });
});
