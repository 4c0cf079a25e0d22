import pino from "pino";
import { register as globalRegistry } from "prom-client";
import { createMetrics } from "../../../src/metrics/metrics.js";
import type { QueueStats } from "../../../src/store/store.js";
import { sampleOf } from "../../helpers/prometheus.js";

const T0 = 1_000_000;

function fakeStore() {
  const calls = { queue: 0, builds: 0 };
  let failing = false;
  let builds: Record<string, number> = { running: 2, succeeded: 10 };
  return {
    calls,
    fail: (on: boolean) => (failing = on),
    setBuilds: (b: Record<string, number>) => (builds = b),
    store: {
      jobs: {
        async queueStats(now: number): Promise<QueueStats> {
          calls.queue++;
          if (failing) throw new Error("store is down");
          return { byState: { queued: 3, running: 1, dead: 2 }, oldestDueAt: now - 4_500 };
        },
      },
      async countBuildsByState() {
        calls.builds++;
        if (failing) throw new Error("store is down");
        return builds;
      },
    },
  };
}

describe("createMetrics", () => {
  let clock: number;
  beforeEach(() => {
    clock = T0;
  });
  const setup = () => {
    const fake = fakeStore();
    const metrics = createMetrics({ store: fake.store, log: pino({ level: "silent" }), now: () => clock });
    return { fake, metrics, scrape: () => metrics.registry.metrics() };
  };

  it("reads queue depth and the oldest due job's age from the store at every scrape, in one query", async () => {
    const { fake, scrape } = setup();
    const text = await scrape();
    expect(sampleOf(text, "buildgate_queue_jobs", { state: "queued" })).toBe(3);
    expect(sampleOf(text, "buildgate_queue_jobs", { state: "running" })).toBe(1);
    expect(sampleOf(text, "buildgate_queue_jobs", { state: "dead" })).toBe(2);
    expect(sampleOf(text, "buildgate_queue_oldest_due_age_seconds")).toBe(4.5);
    expect(fake.calls.queue).toBe(1);
    await scrape();
    expect(fake.calls.queue).toBe(2);
  });

  it("counts builds by state at most every 15 s", async () => {
    const { fake, scrape } = setup();
    expect(sampleOf(await scrape(), "buildgate_builds", { state: "running" })).toBe(2);
    fake.setBuilds({ succeeded: 12 });
    clock += 14_999;
    await Promise.all([scrape(), scrape()]);
    expect(fake.calls.builds).toBe(1);
    clock += 1;
    const text = await scrape();
    expect(fake.calls.builds).toBe(2);
    expect(sampleOf(text, "buildgate_builds", { state: "succeeded" })).toBe(12);
    // A state no build is in any more is gone, not stuck at its last count.
    expect(sampleOf(text, "buildgate_builds", { state: "running" })).toBeUndefined();
  });

  it("still answers when the store does not: the store gauges keep their last values", async () => {
    const { fake, scrape } = setup();
    await scrape();
    fake.fail(true);
    clock += 60_000;
    const text = await scrape();
    expect(sampleOf(text, "buildgate_queue_jobs", { state: "queued" })).toBe(3);
    expect(sampleOf(text, "buildgate_builds", { state: "running" })).toBe(2);
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("records deliveries, jobs, GitHub's rate limit and CodeBuild errors with their labels", async () => {
    const { metrics, scrape } = setup();
    metrics.countDelivery("github", "accepted");
    metrics.countDelivery("github", "accepted");
    metrics.countDelivery("sns", "rejected_401");
    metrics.observeJob("start_build", "done", 0.2);
    metrics.observeJob("start_build", "retried", 3);
    metrics.setGithubRateLimit("core", 4_321);
    metrics.countCodeBuildError("StartBuild", "ThrottlingException");
    const text = await scrape();
    expect(sampleOf(text, "buildgate_deliveries_total", { source: "github", outcome: "accepted" })).toBe(2);
    expect(sampleOf(text, "buildgate_deliveries_total", { source: "sns", outcome: "rejected_401" })).toBe(1);
    expect(sampleOf(text, "buildgate_jobs_processed_total", { kind: "start_build", result: "done" })).toBe(1);
    expect(sampleOf(text, "buildgate_jobs_processed_total", { kind: "start_build", result: "retried" })).toBe(1);
    expect(sampleOf(text, "buildgate_job_duration_seconds_count", { kind: "start_build" })).toBe(2);
    expect(sampleOf(text, "buildgate_job_duration_seconds_bucket", { kind: "start_build", le: "0.25" })).toBe(1);
    expect(sampleOf(text, "buildgate_github_rate_limit_remaining", { resource: "core" })).toBe(4_321);
    expect(sampleOf(text, "buildgate_codebuild_api_errors_total", { operation: "StartBuild", error: "ThrottlingException" })).toBe(1);
  });

  it("gives every app a registry of its own and leaves prom-client's global one alone", async () => {
    const a = setup();
    const b = setup();
    a.metrics.countDelivery("github", "accepted");
    expect(sampleOf(await b.scrape(), "buildgate_deliveries_total", { source: "github", outcome: "accepted" })).toBeUndefined();
    expect(await globalRegistry.metrics()).not.toContain("buildgate_");
  });
});
