import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { createApp } from "../../src/app.js";
import type { Config } from "../../src/config/config.js";
import { parseConfig } from "../../src/config/load-config.js";
import type { Builder } from "../../src/domain/builder.js";
import { createInbox } from "../../src/intake/create-inbox.js";
import { createDrainState, type DrainState } from "../../src/metrics/drain-state.js";
import { createMetrics, type Metrics } from "../../src/metrics/metrics.js";
import { createJobRunner, type JobRunner } from "../../src/pipeline/job-runner.js";
import { createHandlers } from "../../src/pipeline/create-handlers.js";
import type { CertificateSource } from "../../src/intake/sns/cert-cache.js";
import type { CodeCommitApi } from "../../src/providers/codecommit/codecommit-api.js";
import type { GithubApi } from "../../src/providers/github/github-api.js";
import { createLoggingGithubApi } from "../../src/providers/github/logging-github-api.js";
import { STORE_JOBS } from "../../src/pipeline/job-kinds.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/store.js";
import { RecordingBuilder } from "../fakes/recording-builder.js";

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
  readonly app: ReturnType<typeof createApp>;
  readonly store: Store;
  readonly builder: RecordingBuilder;
  readonly runner: JobRunner;
  readonly config: Config;
  /** The app's metrics (also fed by the job runner). */
  readonly metrics: Metrics;
  /** `drain.drain()` makes the app refuse webhooks and fail /readyz, as a shutdown does. */
  readonly drain: DrainState;
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
}

export async function createTestGate(options: TestGateOptions = {}): Promise<TestGate> {
  const dir = mkdtempSync(join(tmpdir(), "buildgate-test-"));
  const config = parseConfig(`${options.yaml ?? TEST_CONFIG}\nstore: { url: "sqlite:${join(dir, "bg.db")}" }\n`, {});
  const log = pino({ level: "silent" });
  const store = await openStore({ url: config.store.url, maxAttempts: 3, jobs: STORE_JOBS });
  const builder = (options.builder as RecordingBuilder | undefined) ?? new RecordingBuilder();
  const metrics = createMetrics({ store, log });
  const drain = createDrainState();
  const runner: JobRunner = createJobRunner({
    queue: store.jobs,
    log,
    workerId: "test:1:a",
    concurrency: 4,
    leaseMs: 30_000,
    idlePollMs: 20,
    backoffBaseMs: 10,
    onJobFinished: metrics.observeJob,
    handlers: createHandlers({ config, store, builder, github: options.github ?? createLoggingGithubApi(log), ...(options.codecommit ? { codecommit: options.codecommit } : {}), log, wake: () => runner.wake() }),
  });
  const inbox = createInbox(store, () => runner.wake());
  const app = createApp({
    config,
    store,
    inbox,
    log,
    metrics,
    drain,
    ...(options.snsCertificates ? { snsCertificates: options.snsCertificates } : {}),
    ...(options.confirmSubscription ? { confirmSubscription: options.confirmSubscription } : {}),
  });
  return {
    app,
    store,
    builder,
    runner,
    config,
    metrics,
    drain,
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
      await runner.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
