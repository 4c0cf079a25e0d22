import { randomUUID } from "node:crypto";
import { pino } from "pino";
import request from "supertest";
import { BuilderError } from "../../src/domain/builder.js";
import { pollBuilds } from "../../src/pipeline/poll-builds.js";
import { idempotencyTokenFor } from "../../src/pipeline/start-build.js";
import { throttled, unknownProject } from "../fakes/recording-builder.js";
import { exampleOf, pushExample } from "../helpers/github-examples.js";
import { createTestGate, deliverSigned, SECRET, type TestGate } from "../helpers/test-gate.js";

const SHA = "c".repeat(40);

function pullRequest(overrides: { action?: string; association?: string; fork?: boolean; labels?: string[]; label?: string; sha?: string; draft?: boolean } = {}) {
  const body = exampleOf("pull_request", (e) => e.action === "opened");
  const pr = body.pull_request as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  body.action = overrides.action ?? "opened";
  pr.author_association = overrides.association ?? "OWNER";
  pr.head.sha = overrides.sha ?? SHA;
  pr.draft = overrides.draft ?? false;
  pr.labels = (overrides.labels ?? []).map((name) => ({ name }));
  if (overrides.fork) pr.head.repo = { ...pr.head.repo, full_name: "mallory/Hello-World" };
  if (overrides.label) body.label = { name: overrides.label };
  return body;
}

describe("delivery → routing → StartBuild", () => {
  let gate: TestGate;
  beforeEach(async () => {
    gate = await createTestGate();
    gate.runner.start();
  });
  afterEach(async () => {
    await gate.close();
  });

  const deliver = (event: string, payload: unknown, deliveryId?: string) => deliverSigned(gate, event, payload, deliveryId);
  const explain = async (id: string) => (await request(gate.app).get(`/api/deliveries/${id}/explain`)).body.deliveries[0];

  it("starts exactly one build per matching route, with the trigger in its environment", async () => {
    const { res, deliveryId } = await deliver("push", pushExample({ after: SHA }));
    expect(res.status).toBe(202);
    expect(gate.builder.starts).toHaveLength(1);
    const start = gate.builder.starts[0]!;
    expect(start).toMatchObject({ project: "hello-ci", sourceVersion: `refs/heads/master^{${SHA}}` });
    expect(start.env).toMatchObject({ STAGE: "ci", BUILDGATE_ROUTE: "hello", BUILDGATE_EVENT: "push", BUILDGATE_REF: "refs/heads/master", BUILDGATE_SHA: SHA, BUILDGATE_DELIVERY_ID: deliveryId });
    const [build] = await gate.store.listBuilds({});
    expect(build).toMatchObject({ state: "queued", external_id: "hello-ci:1", route: "hello", sha: SHA });
    expect(start.idempotencyToken).toBe(idempotencyTokenFor(build!.dedupe_key));
    const explained = await explain(deliveryId);
    expect(explained.status).toBe("routed");
    expect(explained.decisions).toEqual([
      { route: "hello", matched: true, reason: "matched: push to master starts hello-ci", buildId: build!.id },
      { route: "docs", matched: false, reason: "none of 1 changed files match paths: [docs/**]", buildId: null },
    ]);
  });

  it("does not build the same commit twice when it arrives under a new delivery id", async () => {
    await deliver("push", pushExample({ after: SHA }));
    const { res, deliveryId } = await deliver("push", pushExample({ after: SHA }));
    expect(res.status).toBe(202);
    expect(gate.builder.starts).toHaveLength(1);
    expect((await explain(deliveryId)).decisions[0].reason).toMatch(/already built as build #1/);
  });

  it("builds a new commit on the same branch", async () => {
    await deliver("push", pushExample({ after: SHA }));
    await deliver("push", pushExample({ after: "d".repeat(40) }));
    expect(gate.builder.starts.map((s) => s.env.BUILDGATE_SHA)).toEqual([SHA, "d".repeat(40)]);
  });

  it("skips a push whose head commit says [skip ci] and says why", async () => {
    const { deliveryId } = await deliver("push", pushExample({ after: SHA, message: "docs: typo [skip ci]" }));
    expect(gate.builder.starts).toHaveLength(0);
    expect((await explain(deliveryId)).decisions[0].reason).toBe("head commit message contains [skip ci]");
  });

  it("ignores a branch deletion with a recorded reason", async () => {
    const body = { ...pushExample(), deleted: true, after: "0".repeat(40) };
    const { deliveryId } = await deliver("push", body);
    expect(gate.builder.starts).toHaveLength(0);
    expect(await explain(deliveryId)).toMatchObject({ status: "ignored", reason: "branch refs/heads/master was deleted" });
  });

  it("holds a fork pull request until a maintainer adds ok-to-test, then builds it once", async () => {
    const opened = await deliver("pull_request", pullRequest({ fork: true }));
    expect(gate.builder.starts).toHaveLength(0);
    expect((await explain(opened.deliveryId)).decisions[0].reason).toMatch(/comes from fork mallory\/Hello-World: waiting for label ok-to-test/);
    await deliver("pull_request", pullRequest({ fork: true, action: "labeled", label: "ok-to-test", labels: ["ok-to-test"] }));
    expect(gate.builder.starts).toHaveLength(1);
    expect(gate.builder.starts[0]!.sourceVersion).toBe(`refs/pull/2/head^{${SHA}}`);
    // Labeled again (or redelivered): same head, no second build.
    await deliver("pull_request", pullRequest({ fork: true, action: "labeled", label: "ok-to-test", labels: ["ok-to-test"] }));
    expect(gate.builder.starts).toHaveLength(1);
  });

  it("does not build a pull request from an untrusted author", async () => {
    const { deliveryId } = await deliver("pull_request", pullRequest({ association: "NONE" }));
    expect(gate.builder.starts).toHaveLength(0);
    expect((await explain(deliveryId)).decisions[0].reason).toMatch(/author is NONE/);
  });

  it("marks the build errored on a permanent error and does not retry", async () => {
    gate.builder.failWith(unknownProject());
    await deliver("push", pushExample({ after: SHA }));
    expect(gate.builder.starts).toHaveLength(1);
    const [build] = await gate.store.listBuilds({});
    expect(build).toMatchObject({ state: "errored", error: "ResourceNotFoundException: project not found" });
    const counts = await gate.store.jobs.countByState();
    expect(counts.dead ?? 0).toBe(0);
    expect(counts.queued ?? 0).toBe(0);
  });

  it("retries throttling with backoff and starts the build once it goes through", async () => {
    gate.builder.failWith(throttled(), throttled());
    await deliver("push", pushExample({ after: SHA }));
    expect(gate.builder.starts).toHaveLength(3);
    expect(new Set(gate.builder.starts.map((s) => s.idempotencyToken)).size).toBe(1);
    const [build] = await gate.store.listBuilds({});
    expect(build).toMatchObject({ state: "queued", error: null });
  });

  it("gives up after max attempts, moves the job to dead letters and marks the build errored", async () => {
    gate.builder.failWith(throttled(), throttled(), throttled(), new BuilderError("never reached", true));
    await deliver("push", pushExample({ after: SHA }));
    expect(gate.builder.starts).toHaveLength(3);
    const [build] = await gate.store.listBuilds({});
    expect(build?.state).toBe("errored");
    expect(build?.error).toMatch(/^gave up starting the build: BuilderError: ThrottlingException/);
    const dead = await gate.store.jobs.deadLetters(10);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ kind: "start_build", attempts: 3 });
  });

  it("a late poll snapshot (another replica read the build before it finished) does not move the finished build back", async () => {
    await deliver("push", pushExample({ after: SHA }));
    const [stale] = await gate.store.listBuilds({});
    if (!stale?.external_id) throw new Error("expected a started build");
    const poll = () => pollBuilds({ store: gate.store, builder: gate.builder, log: pino({ level: "silent" }) }, [stale]);
    gate.builder.advance(stale.external_id, { status: "SUCCEEDED", currentPhase: "COMPLETED", endedAt: Date.now() });
    await poll();
    await gate.settle();
    const finished = await gate.store.getBuild(stale.id);
    expect(finished).toMatchObject({ state: "succeeded", current_phase: "COMPLETED" });

    // The other replica's builder answer is older: the build still running in BUILD.
    gate.builder.advance(stale.external_id, { status: "IN_PROGRESS", currentPhase: "BUILD", endedAt: undefined });
    expect((await poll()).changed).toBe(0);
    await gate.settle();
    expect(await gate.store.getBuild(stale.id)).toEqual(finished);
  });

  it("explains over the API and the CLI's JSON shape, and 404s an unknown delivery", async () => {
    const { deliveryId } = await deliver("push", pushExample({ after: SHA }));
    const res = await request(gate.app).get(`/api/deliveries/${deliveryId}/explain`);
    expect(res.status).toBe(200);
    expect(res.body.deliveries[0]).toMatchObject({ source: "github", deliveryId, event: "push", builds: [{ route: "hello", project: "hello-ci", state: "queued" }] });
    expect((await request(gate.app).get(`/api/deliveries/${randomUUID()}/explain`)).status).toBe(404);
  });
});

describe("API access", () => {
  it("requires the bearer token when server.apiToken is set", async () => {
    const gate = await createTestGate({ yaml: `server: { apiToken: "t0ken" }\ngithub: { webhookSecrets: ["${SECRET}"] }\n` });
    try {
      expect((await request(gate.app).get("/api/deliveries/x/explain")).status).toBe(401);
      expect((await request(gate.app).get("/api/deliveries/x/explain").set("authorization", "Bearer wrong")).status).toBe(401);
      expect((await request(gate.app).get("/api/deliveries/x/explain").set("authorization", "Bearer t0ken")).status).toBe(404);
    } finally {
      await gate.close();
    }
  });
});
