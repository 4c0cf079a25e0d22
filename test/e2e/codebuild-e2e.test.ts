import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCodeBuildFake, type CodeBuildFake } from "../fakes/codebuild-fake.js";
import { pushExample } from "../helpers/github-examples.js";
import { deliverGithub, waitFor, writeCodeBuildConfig } from "./e2e-helpers.js";
import { runCli, spawnBuildgate, type RunningBuildgate } from "./spawn-buildgate.js";

const SECRET = "e2e-secret-0123456789";

const writeConfig = (dir: string, codebuildUrl: string) => writeCodeBuildConfig(dir, codebuildUrl, { routeEnv: "{ STAGE: e2e }" });

const deliver = (gate: RunningBuildgate, sha: string, deliveryId?: string) => deliverGithub(gate, SECRET, "push", pushExample({ after: sha }), deliveryId);

const shaOf = (i: number) => i.toString(16).padStart(40, "a");
const startCalls = (fake: CodeBuildFake) => fake.calls.filter((c) => c.op === "StartBuild");
const buildsBySha = (fake: CodeBuildFake) => {
  const counts = new Map<string, number>();
  for (const b of fake.builds.values()) {
    const sha = b.environment.environmentVariables.find((v) => v.name === "BUILDGATE_SHA")?.value ?? "?";
    counts.set(sha, (counts.get(sha) ?? 0) + 1);
  }
  return counts;
};

describe("e2e: the real server, the real AWS SDK, a local CodeBuild", () => {
  let dir: string;
  let fake: CodeBuildFake;
  let gate: RunningBuildgate | undefined;
  let config: string;
  const env = { E2E_SECRET: SECRET };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-e2e-"));
    fake = await startCodeBuildFake({ projects: ["hello-ci"] });
    config = writeConfig(dir, fake.url);
  });
  afterEach(async () => {
    await gate?.kill9();
    gate = undefined;
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("turns a signed push into exactly one StartBuild with the route's environment", async () => {
    gate = await spawnBuildgate(config, env);
    const { status, deliveryId } = await deliver(gate, shaOf(1));
    expect(status).toBe(202);
    await waitFor("a build", () => fake.builds.size === 1);
    const [call] = startCalls(fake);
    expect(call?.headers["x-amz-target"]).toBe("CodeBuild_20161006.StartBuild");
    expect(call?.body).toMatchObject({ projectName: "hello-ci", sourceVersion: `refs/heads/master^{${shaOf(1)}}` });
    expect(call?.body.idempotencyToken).toMatch(/^bg-[0-9a-f]{40}$/);
    const vars = Object.fromEntries((call?.body.environmentVariablesOverride as Array<{ name: string; value: string }>).map((v) => [v.name, v.value]));
    expect(vars).toMatchObject({ STAGE: "e2e", BUILDGATE_SHA: shaOf(1), BUILDGATE_DELIVERY_ID: deliveryId, BUILDGATE_ROUTE: "hello" });
    // The same delivery again, and the same commit under a new id: still one build.
    expect((await deliver(gate, shaOf(1), deliveryId)).status).toBe(200);
    expect((await deliver(gate, shaOf(1))).status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.builds.size).toBe(1);
    expect(startCalls(fake)).toHaveLength(1);
    // `buildgate explain` reads the same store while the server runs.
    const explained = await runCli(["explain", deliveryId, "--config", config], env);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain(`github delivery ${deliveryId} (push)`);
    expect(explained.stdout).toContain("✔ hello: matched: push to master starts hello-ci");
    expect(explained.stdout).toMatch(/build #1 hello → hello-ci: queued \(hello-ci:[0-9a-f-]+\)/);
    const json = JSON.parse((await runCli(["explain", deliveryId, "--json", "--config", config], env)).stdout);
    expect(json[0].decisions).toEqual([{ route: "hello", matched: true, reason: "matched: push to master starts hello-ci", buildId: 1 }]);
    expect((await runCli(["explain", "no-such-delivery", "--config", config], env)).code).toBe(1);
  });

  it("rides out throttling: the SDK retries and one build starts", async () => {
    gate = await spawnBuildgate(config, env);
    fake.failNext(2, { status: 400, type: "ThrottlingException", message: "Rate exceeded" });
    expect((await deliver(gate, shaOf(2))).status).toBe(202);
    await waitFor("a build", () => fake.builds.size === 1);
    const calls = startCalls(fake);
    expect(calls.map((c) => c.status)).toEqual([400, 400, 200]);
    expect(calls[2]?.headers["amz-sdk-request"]).toMatch(/attempt=3/);
    expect(new Set(calls.map((c) => c.body.idempotencyToken)).size).toBe(1);
  });

  it("survives throttling longer than the SDK's attempts: the job queue retries later", async () => {
    gate = await spawnBuildgate(config, env);
    fake.failNext(4, { status: 400, type: "ThrottlingException", message: "Rate exceeded" });
    expect((await deliver(gate, shaOf(3))).status).toBe(202);
    await waitFor("a build", () => fake.builds.size === 1);
    expect(startCalls(fake).length).toBeGreaterThanOrEqual(5);
    expect(fake.builds.size).toBe(1);
  });

  it("marks the build errored for an unknown project, without retrying", async () => {
    fake.setProjects(["another-project"]);
    gate = await spawnBuildgate(config, env);
    const { deliveryId } = await deliver(gate, shaOf(4));
    const build = await (async () => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const res = await fetch(`${gate!.url}/api/deliveries/${deliveryId}/explain`);
        const body = res.status === 200 ? ((await res.json()) as { deliveries: Array<{ builds: Array<{ state: string; error: string | null }> }> }) : undefined;
        const b = body?.deliveries[0]?.builds[0];
        if (b && b.state !== "pending") return b;
        if (Date.now() > deadline) throw new Error("build never left pending");
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    expect(build.state).toBe("errored");
    expect(build.error).toMatch(/ResourceNotFoundException/);
    await new Promise((r) => setTimeout(r, 300));
    expect(startCalls(fake)).toHaveLength(1);
  });

  it("kill -9 while deliveries are in flight, then restart: every acknowledged delivery builds exactly once", async () => {
    gate = await spawnBuildgate(config, env);
    const total = 60;
    const acked = new Map<number, string>();
    const ids: string[] = Array.from({ length: total }, () => randomUUID());
    let next = 0;
    let killed = false;
    // Eight senders; the process dies after the 20th acknowledgement, mid-stream.
    const sender = async () => {
      while (next < total && !killed) {
        const i = next++;
        try {
          const { status } = await deliver(gate!, shaOf(100 + i), ids[i]);
          if (status === 202) acked.set(i, ids[i]!);
          if (acked.size === 20 && !killed) {
            killed = true;
            await gate!.kill9();
          }
        } catch {
          // connection refused or reset: not acknowledged, the sender will redeliver
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    expect(killed).toBe(true);
    const ackedBeforeKill = acked.size;
    expect(ackedBeforeKill).toBeGreaterThanOrEqual(20);

    // Restart on the same store; redeliver everything (as GitHub's redelivery would, same ids).
    gate = await spawnBuildgate(config, env);
    for (let i = 0; i < total; i++) {
      const { status } = await deliver(gate, shaOf(100 + i), ids[i]);
      expect([200, 202]).toContain(status);
      if (acked.has(i)) expect(status).toBe(200);
    }
    await waitFor(`${total} builds`, () => fake.builds.size >= total, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    const counts = buildsBySha(fake);
    expect(fake.builds.size).toBe(total);
    for (let i = 0; i < total; i++) expect(counts.get(shaOf(100 + i))).toBe(1);
  }, 60_000);

  it("kill -9 right after StartBuild was sent: the restart reuses the idempotency token, no second build", async () => {
    gate = await spawnBuildgate(config, env);
    expect((await deliver(gate, shaOf(7))).status).toBe(202);
    await waitFor("a StartBuild call", () => startCalls(fake).length >= 1);
    await gate.kill9();
    gate = await spawnBuildgate(config, env);
    await new Promise((r) => setTimeout(r, 1000));
    expect(fake.builds.size).toBe(1);
    const tokens = new Set(startCalls(fake).map((c) => c.body.idempotencyToken));
    expect(tokens.size).toBe(1);
  });

  it("drains on SIGTERM and exits 0", async () => {
    gate = await spawnBuildgate(config, env);
    expect((await deliver(gate, shaOf(8))).status).toBe(202);
    expect(await gate.stop()).toBe(0);
    gate = undefined;
  });
});

describe("e2e: startup refusals and the CLI", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-cli-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses to start with an empty webhook secret", async () => {
    const path = join(dir, "c.yaml");
    writeFileSync(path, `store: { url: "sqlite:${join(dir, "x.db")}" }\ngithub: { webhookSecrets: ["\${WEBHOOK_SECRET}"] }\n`);
    const r = await runCli(["serve", "--config", path], { WEBHOOK_SECRET: "", PORT: "0" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("github.webhookSecrets[0]: environment variable WEBHOOK_SECRET is not set");
    const literal = join(dir, "d.yaml");
    writeFileSync(literal, `github: { webhookSecrets: [""] }\n`);
    const r2 = await runCli(["serve", "--config", literal], { PORT: "0" });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("github.webhookSecrets[0]: must not be empty");
  });

  it("check-config prints the routes it understood, or every problem with its key path", async () => {
    const ok = await runCli(["check-config", "config/buildgate.example.yaml"], { GITHUB_WEBHOOK_SECRET: "s", GITHUB_TOKEN: "t", BUILDGATE_API_TOKEN: "a" });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("api: github:acme/api on [push, pull_request] → CodeBuild api-ci");
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, `github: { webhookSecrets: [s] }\nroutes:\n  - name: x\n    source: { github: "a/b" }\n    on: [push]\n    project: p1\n    brnches: [main]\n`);
    const r = await runCli(["check-config", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("routes[0]: unknown key 'brnches'");
  });
});
