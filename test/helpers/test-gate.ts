import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Express } from "express";
import pino from "pino";
import request from "supertest";
import { compose } from "../../src/compose/compose.js";
import type { Watchdog } from "../../src/compose/create-watchdog.js";
import type { Config } from "../../src/config/config.js";
import { parseConfig } from "../../src/config/load-config.js";
import type { Builder } from "../../src/domain/builder.js";
import type { CertificateSource } from "../../src/intake/sns/cert-cache.js";
import type { DrainState } from "../../src/web/drain-state.js";
import type { Metrics } from "../../src/metrics/metrics.js";
import type { IntakePressure, IntakePressureOptions } from "../../src/pipeline/intake-pressure.js";
import type { JobRunner } from "../../src/pipeline/job-runner.js";
import type { CodeCommitApi } from "../../src/providers/codecommit/codecommit-api.js";
import type { GithubApi } from "../../src/providers/github/github-api.js";
import { createLoggingGithubApi } from "../../src/providers/github/logging-github-api.js";
import type { Store } from "../../src/store/store.js";
import { RecordingBuilder } from "../fakes/recording-builder.js";
import { signGithub } from "./sign.js";

export const SECRET = "It's a Secret to Everybody";
export const OLD_SECRET = "the-previous-secret";

export const TEST_CONFIG = `
github:
  webhookSecrets: ["${SECRET}", "${OLD_SECRET}"]
routes:
  - name: hello
    source: { github: "Codertocat/Hello-World" }
    on: [push, pull_request, tag]
    branches: ["master", "main", "release/*"]
    project: hello-ci
    env: { STAGE: ci }
  - name: docs
    source: { github: "Codertocat/Hello-World" }
    on: [push]
    paths: ["docs/**"]
    project: docs-ci
`;

export interface TestGate {
  readonly app: Express;
  readonly store: Store;
  readonly builder: RecordingBuilder;
  /** Not started: a test starts it (`runner.start()`) or the whole gate (`start()`). */
  readonly runner: JobRunner;
  readonly config: Config;
  /** The app's metrics (also fed by the job runner). */
  readonly metrics: Metrics;
  /** `drain.drain()` makes the app refuse webhooks and fail /readyz, as a shutdown does. */
  readonly drain: DrainState;
  /** Fed by the inbox; sampled once `start()` ran (or when a test calls `sample()`). */
  readonly pressure: IntakePressure;
  /** `tick()` runs one round (tracker and sweeps ensured, sessions and finished jobs pruned). */
  readonly watchdog: Watchdog;
  readonly workerId: string;
  /** What `startBuildgate` starts: dead leases released, tracker and sweeps ensured, pressure, runner and watchdog running. */
  start(): Promise<void>;
  /** Waits until no job is due or running. */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The app on a fresh temp-file SQLite store, with the real pipeline and a recording builder. */
export interface TestGateOptions {
  readonly yaml?: string;
  readonly builder?: Builder;
  readonly github?: GithubApi;
  readonly codecommit?: CodeCommitApi;
  readonly snsCertificates?: CertificateSource;
  readonly confirmSubscription?: (url: URL) => Promise<void>;
  readonly now?: () => number;
  readonly intakePressure?: IntakePressureOptions;
}

export const TEST_WORKER_ID = "test:1:a";

/** The application as `startBuildgate` composes it (src/compose), tuned for tests, without listening. */
export async function createTestGate(options: TestGateOptions = {}): Promise<TestGate> {
  const dir = mkdtempSync(join(tmpdir(), "buildgate-test-"));
  const parsed = parseConfig(`${options.yaml ?? TEST_CONFIG}\nstore: { url: "sqlite:${join(dir, "bg.db")}" }\n`, {});
  // A job gives up after 3 attempts: dead-letter paths stay short.
  // Finished build logs are cached in the test's own folder unless the test says where.
  const logs = parsed.logs.cacheDir === "./data/logs" ? { ...parsed.logs, cacheDir: join(dir, "logs") } : parsed.logs;
  const config: Config = { ...parsed, logs, jobs: { ...parsed.jobs, maxAttempts: 3 } };
  const log = pino({ level: "silent" });
  const builder = (options.builder as RecordingBuilder | undefined) ?? new RecordingBuilder();
  const { yaml: _yaml, ...overrides } = options;
  const gate = await compose(config, {
    ...overrides,
    log,
    builder,
    github: options.github ?? createLoggingGithubApi(log),
    runner: { workerId: TEST_WORKER_ID, concurrency: 4, leaseMs: 30_000, idlePollMs: 20, backoffBaseMs: 10 },
  });
  const { store, runner } = gate;
  return {
    app: gate.app,
    store,
    builder,
    runner,
    config,
    metrics: gate.metrics,
    drain: gate.drain,
    pressure: gate.pressure,
    watchdog: gate.watchdog,
    workerId: gate.workerId,
    start: () => gate.start(),
    async settle(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const counts = await store.jobs.countByState();
        const next = await store.jobs.nextWakeAt();
        const busy = (counts.running ?? 0) > 0 || runner.inFlight() > 0 || (next !== undefined && (counts.queued ?? 0) > 0);
        if (!busy) return;
        if (Date.now() > deadline) throw new Error(`jobs did not settle: ${JSON.stringify(counts)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      await gate.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A GitHub delivery signed with SECRET, posted to the gate's app; returns once the pipeline has settled. */
export async function deliverSigned(gate: Pick<TestGate, "app" | "settle">, event: string, payload: unknown, deliveryId: string = randomUUID()): Promise<{ res: request.Response; deliveryId: string }> {
  const body = JSON.stringify(payload);
  const res = await request(gate.app)
    .post("/webhooks/github")
    .set("content-type", "application/json")
    .set("x-github-event", event)
    .set("x-github-delivery", deliveryId)
    .set("x-hub-signature-256", signGithub(SECRET, body))
    .send(body);
  await gate.settle();
  return { res, deliveryId };
}
