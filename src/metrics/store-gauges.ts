import { Gauge, type Registry } from "prom-client";
import type { MetricsDeps } from "./metrics.js";

const BUILDS_CACHE_MS = 15_000;

/** Calls that arrive while one is under way share its answer (the gauges of one scrape, concurrent scrapes). */
function shareInFlight<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= load().finally(() => (pending = undefined)));
}

/** `load`'s answer, reused for `ttlMs` after it arrived. */
function cacheFor<T>(ttlMs: number, now: () => number, load: () => Promise<T>): () => Promise<T> {
  let cached: { value: T; at: number } | undefined;
  const refresh = shareInFlight(async () => {
    const value = await load();
    cached = { value, at: now() };
    return value;
  });
  return async () => (cached && now() - cached.at < ttlMs ? cached.value : refresh());
}

/**
 * Gauges read from the store when Prometheus scrapes: queue depth by state and the age of the
 * oldest due job (cheap indexed queries, every scrape), builds by state (a grouped count over
 * every build, reused for 15 s). A store that does not answer leaves the last values and logs.
 */
export function registerStoreGauges(registry: Registry, deps: MetricsDeps): void {
  const now = deps.now ?? Date.now;
  const registers = [registry];
  const queueStats = shareInFlight(() => deps.store.jobs.queueStats(now()));
  const buildCounts = cacheFor(deps.buildsCacheMs ?? BUILDS_CACHE_MS, now, () => deps.store.countBuildsByState());
  const warn = (what: string) => (err: unknown) => deps.log.warn({ err }, `metrics: could not read ${what}`);

  new Gauge({
    name: "buildgate_queue_jobs",
    help: "Jobs in the queue by state (queued, running, dead)",
    labelNames: ["state"],
    registers,
    async collect() {
      const stats = await queueStats().catch(warn("the job queue"));
      if (stats) for (const [state, n] of Object.entries(stats.byState)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: "buildgate_queue_oldest_due_age_seconds",
    help: "How long the oldest queued job that is due has waited (0 when none waits)",
    registers,
    async collect() {
      const stats = await queueStats().catch(() => undefined);
      if (stats) this.set(stats.oldestDueAt === undefined ? 0 : Math.max(0, now() - stats.oldestDueAt) / 1000);
    },
  });
  new Gauge({
    name: "buildgate_builds",
    help: "Builds by state (counted at most every 15 s)",
    labelNames: ["state"],
    registers,
    async collect() {
      const counts = await buildCounts().catch(warn("build counts"));
      if (!counts) return;
      this.reset();
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
}
