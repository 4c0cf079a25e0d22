import { randomUUID } from "node:crypto";
import express from "express";
import request from "supertest";
import { pushExample } from "../helpers/github-examples.js";
import { sampleOf } from "../helpers/prometheus.js";
import { signGithub } from "../helpers/sign.js";
import { createTestGate, SECRET, TEST_CONFIG, type TestGate } from "../helpers/test-gate.js";
import { throttled } from "../fakes/recording-builder.js";

const body = JSON.stringify(pushExample());

function post(gate: TestGate, event = "push", deliveryId: string = randomUUID(), signature = signGithub(SECRET, body)) {
  return request(gate.app).post("/webhooks/github").set({ "content-type": "application/json", "x-github-event": event, "x-github-delivery": deliveryId, "x-hub-signature-256": signature }).send(body);
}

async function scrape(gate: TestGate): Promise<string> {
  const res = await request(gate.app).get("/metrics");
  expect(res.status).toBe(200);
  return res.text;
}

const delivered = (text: string, outcome: string, source = "github") => sampleOf(text, "buildgate_deliveries_total", { source, outcome });
const jobs = (text: string, kind: string, result: string) => sampleOf(text, "buildgate_jobs_processed_total", { kind, result });

describe("GET /metrics", () => {
  let gate: TestGate;
  beforeEach(async () => {
    gate = await createTestGate();
    gate.runner.start();
  });
  afterEach(async () => {
    await gate.close();
  });

  it("counts a signed delivery through to its build: outcomes, jobs, durations, queue and builds", async () => {
    const id = randomUUID();
    expect((await post(gate, "push", id)).status).toBe(202);
    expect((await post(gate, "push", id)).status).toBe(200);
    expect((await post(gate, "star")).status).toBe(200);
    expect((await post(gate, "push", randomUUID(), signGithub("not the secret", body))).status).toBe(401);
    expect((await post(gate, "push", randomUUID(), "sha256=00")).status).toBe(401);
    expect((await request(gate.app).post("/webhooks/github").set("content-type", "text/plain").send("x")).status).toBe(415);
    expect((await request(gate.app).get("/webhooks/github")).status).toBe(405);
    await gate.settle();

    const res = await request(gate.app).get("/metrics");
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    expect(delivered(text, "accepted")).toBe(1);
    expect(delivered(text, "duplicate")).toBe(1);
    expect(delivered(text, "ignored")).toBe(1);
    expect(delivered(text, "rejected_401")).toBe(2);
    expect(delivered(text, "rejected_415")).toBe(1);
    expect(delivered(text, "rejected_405")).toBe(1);
    expect(jobs(text, "process_delivery", "done")).toBe(1);
    expect(jobs(text, "start_build", "done")).toBe(1);
    expect(jobs(text, "report_status", "done")).toBeGreaterThanOrEqual(1);
    expect(sampleOf(text, "buildgate_job_duration_seconds_count", { kind: "process_delivery" })).toBe(1);
    expect(sampleOf(text, "buildgate_job_duration_seconds_bucket", { kind: "start_build", le: "+Inf" })).toBe(1);
    expect(sampleOf(text, "buildgate_queue_jobs", { state: "queued" })).toBe(0);
    expect(sampleOf(text, "buildgate_queue_jobs", { state: "running" })).toBe(0);
    expect(sampleOf(text, "buildgate_queue_jobs", { state: "dead" })).toBe(0);
    expect(sampleOf(text, "buildgate_queue_oldest_due_age_seconds")).toBe(0);
    expect(sampleOf(text, "buildgate_builds", { state: "queued" })).toBe(1);
    // Default process metrics, from this app's registry.
    expect(sampleOf(text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(text).toContain("nodejs_heap_size_used_bytes");
  });

  it("counts retried and dead jobs, and the age of the oldest job waiting", async () => {
    gate.builder.failWith(throttled(), throttled(), throttled());
    expect((await post(gate)).status).toBe(202);
    await gate.settle();
    await gate.runner.stop();
    await gate.store.jobs.enqueue({ kind: "waiting", payload: {}, runAt: Date.now() - 5_000 }, Date.now());

    const text = await scrape(gate);
    expect(jobs(text, "start_build", "retried")).toBe(2);
    expect(jobs(text, "start_build", "dead")).toBe(1);
    expect(sampleOf(text, "buildgate_queue_jobs", { state: "dead" })).toBe(1);
    expect(sampleOf(text, "buildgate_queue_jobs", { state: "queued" })).toBe(1);
    expect(sampleOf(text, "buildgate_queue_oldest_due_age_seconds")).toBeGreaterThanOrEqual(5);
    expect(sampleOf(text, "buildgate_builds", { state: "errored" })).toBe(1);
  });

  it("counts a delivery the store could not take as failed_503, and still answers without the store", async () => {
    await gate.runner.stop();
    await gate.store.close();
    const res = await post(gate);
    expect(res.status).toBe(503);
    const text = await scrape(gate);
    expect(delivered(text, "failed_503")).toBe(1);
    expect(delivered(text, "accepted")).toBeUndefined();
  });
});

describe("GET /metrics access", () => {
  const TOKEN = "metrics-token-0123456789";
  // supertest connects over loopback; this makes the app see a client elsewhere.
  const fromElsewhere = (app: express.Express) =>
    express()
      .use((req, _res, next) => {
        Object.defineProperty(req.socket, "remoteAddress", { value: "203.0.113.7", configurable: true });
        next();
      })
      .use(app);

  it("takes only the bearer server.metricsToken when it is set, from anywhere", async () => {
    const gate = await createTestGate({ yaml: `server: { metricsToken: "${TOKEN}" }\n${TEST_CONFIG}` });
    try {
      const none = await request(gate.app).get("/metrics");
      expect(none.status).toBe(401);
      expect(none.headers["www-authenticate"]).toBe("Bearer");
      expect((await request(gate.app).get("/metrics").set("authorization", "Bearer wrong")).status).toBe(401);
      expect((await request(gate.app).get("/metrics").set("authorization", `Bearer ${TOKEN}`)).status).toBe(200);
      const remote = await request(fromElsewhere(gate.app)).get("/metrics").set("authorization", `Bearer ${TOKEN}`);
      expect(remote.status).toBe(200);
      expect(remote.text).toContain("buildgate_deliveries_total");
    } finally {
      await gate.close();
    }
  });

  it("answers loopback clients only when no token is set", async () => {
    const gate = await createTestGate();
    try {
      expect((await request(gate.app).get("/metrics")).status).toBe(200);
      const remote = await request(fromElsewhere(gate.app)).get("/metrics");
      expect(remote.status).toBe(403);
      expect(remote.body.error).toMatch(/server\.metricsToken/);
      expect(remote.text).not.toContain("buildgate_");
    } finally {
      await gate.close();
    }
  });
});
