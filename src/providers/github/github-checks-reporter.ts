import type { BuildLogs } from "../../domain/build-logs.js";
import { storedPhases } from "../../domain/build-snapshot.js";
import { isFinal } from "../../domain/build-state.js";
import { ANNOTATIONS_PER_REQUEST, collectAnnotations, type CheckAnnotation } from "../../domain/check-annotations.js";
import { checkRunState, checkRunSummary, LOG_TAIL_LINES, type FailedTest } from "../../domain/check-run-output.js";
import type { CommitStatus } from "../../domain/commit-status.js";
import { failureCause } from "../../domain/failure-cause.js";
import type { RateGate } from "../../domain/rate-gate.js";
import { installationOfTrigger } from "../../domain/rebuild.js";
import { RetryLaterError } from "../../pipeline/job-errors.js";
import type { Reporter } from "../../pipeline/reporter.js";
import type { BuildRow, Store } from "../../store/store.js";
import { GithubApiError, type CheckRunUpdate, type GithubChecksApi } from "./github-api.js";
import { asJobError } from "./github-job-error.js";

// Lines read for annotations (compiler output names files and lines well before the end of a log).
const ANNOTATION_LOG_LINES = 2000;

export interface GithubChecksReporterDeps {
  /** The check-run API as the build's installation (the delivery's, else the configured one). */
  readonly checksFor: (installationId: number | undefined) => GithubChecksApi;
  readonly store: Pick<Store, "getCheckRun" | "saveCheckRun" | "saveAnnotationsSent">;
  readonly gate: RateGate;
  /** The App's id: a listed run with our external id but another App's is not ours. */
  readonly appId?: number;
  /** A finished build's log (its last lines go into the summary, compiler errors become annotations). */
  readonly logs?: Pick<BuildLogs, "last">;
  /** A finished build's failed tests, when its builder has test reports. */
  readonly failedTests?: (build: BuildRow) => Promise<readonly FailedTest[] | undefined>;
  /** Absolute checkout directories stripped from paths in log lines (CodeBuild's CODEBUILD_SRC_DIR). */
  readonly sourceRoots?: readonly string[];
  readonly now?: () => number;
}

const quietly = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await read();
  } catch {
    // The summary is written without what could not be read: a log service hiccup never blocks a report.
    return undefined;
  }
};

/** What a finished build's run shows beyond its phases: failed tests, the log's end, annotations. */
async function finishedDetails(d: GithubChecksReporterDeps, build: BuildRow) {
  if (!isFinal(build.state) || build.state === "skipped" || build.state === "succeeded") return { annotations: [] as CheckAnnotation[] };
  const tests = d.failedTests ? await quietly(() => d.failedTests!(build)) : undefined;
  const slice = d.logs ? await quietly(() => d.logs!.last(build.id, ANNOTATION_LOG_LINES)) : undefined;
  const lines = slice?.lines.map((l) => l.text) ?? [];
  const annotations = collectAnnotations({ ...(tests ? { failedTests: tests } : {}), logLines: lines, ...(d.sourceRoots ? { roots: d.sourceRoots } : {}) });
  return { annotations, ...(tests ? { failedTests: tests } : {}), ...(lines.length > 0 ? { logTail: lines.slice(-LOG_TAIL_LINES) } : {}) };
}

/**
 * GitHub check runs: one per build, named after the route's context (so a required check keeps
 * its name), `external_id` = the build's key, details linking to the board. The run's id is
 * stored once it exists; a report retried after a crash between GitHub's answer and that write
 * finds the run by its external id before creating one, so a build never gets two runs.
 * Annotations go with the completed run, 50 a request, the count sent stored after each.
 * Every request shares the statuses' rate gate; 403/429 pause it for everyone.
 */
export function createGithubChecksReporter(d: GithubChecksReporterDeps): Reporter {
  const now = d.now ?? Date.now;
  const reserveOrWait = () => {
    const wait = d.gate.reserve(now());
    if (wait > 0) throw new RetryLaterError("check run updates are at GitHub's rate limit", wait);
  };
  /** The build's run: as stored, found by its external id (created before a crash), or created now with the first annotations. */
  async function runOf(api: GithubChecksApi, build: BuildRow, fields: CheckRunUpdate, annotations: readonly CheckAnnotation[]) {
    const row = await d.store.getCheckRun(build.id);
    if (row) return { id: row.checkRunId, sent: row.annotationsSent, created: false };
    const listed = await api.listCheckRuns(build.repository, build.sha, build.context);
    const found = listed.find((r) => r.externalId === build.dedupe_key && (d.appId === undefined || r.appId === null || r.appId === d.appId));
    if (found) {
      await d.store.saveCheckRun(build.id, found.id, now());
      const sent = Math.min(found.annotationsCount, annotations.length);
      if (sent > 0) await d.store.saveAnnotationsSent(build.id, sent, now());
      return { id: found.id, sent, created: false };
    }
    const first = annotations.slice(0, ANNOTATIONS_PER_REQUEST);
    const id = await api.createCheckRun(build.repository, { ...fields, name: build.context, headSha: build.sha, externalId: build.dedupe_key, output: { ...fields.output, annotations: first } });
    await d.store.saveCheckRun(build.id, id, now());
    if (first.length > 0) await d.store.saveAnnotationsSent(build.id, first.length, now());
    return { id, sent: first.length, created: true };
  }
  /**
   * A completion is sent once: a report retried after a crash (GitHub took the update, buildgate
   * died before it wrote that down) first looks whether the run already shows this result.
   */
  async function alreadyShows(api: GithubChecksApi, build: BuildRow, id: number, fields: CheckRunUpdate, annotated: boolean): Promise<boolean> {
    if (fields.status !== "completed" || !annotated) return false;
    const current = await api.getCheckRun(build.repository, id);
    return current.status === "completed" && current.conclusion === fields.conclusion && current.title === fields.output.title;
  }
  return {
    perBuild: true,
    desired: (_build, status) => ({ state: status.state, description: status.description }),
    reserve: (at) => d.gate.reserve(at),
    async post(build, status: CommitStatus) {
      const api = d.checksFor(installationOfTrigger(build.trigger));
      const { annotations, ...details } = await finishedDetails(d, build);
      const phases = storedPhases(build.phases);
      const summary = checkRunSummary({ state: build.state, buildId: build.id, project: build.project, buildUrl: status.targetUrl ?? "", phases, cause: failureCause({ state: build.state, phases }), error: build.error, startedAt: build.started_at, endedAt: build.ended_at, ...details });
      const state = checkRunState(build.state);
      const fields: CheckRunUpdate = {
        ...state,
        detailsUrl: status.targetUrl ?? "",
        ...(build.started_at ? { startedAt: build.started_at } : {}),
        ...(state.status === "completed" ? { completedAt: build.ended_at ?? now() } : {}),
        output: { title: status.description, summary },
      };
      const run = await runOf(api, build, fields, annotations);
      let sent = run.sent;
      const update = async (id: number, batch: readonly CheckAnnotation[]) => {
        await api.updateCheckRun(build.repository, id, { ...fields, output: { ...fields.output, annotations: batch } });
        if (batch.length > 0) await d.store.saveAnnotationsSent(build.id, (sent += batch.length), now());
      };
      if (!run.created && !(await alreadyShows(api, build, run.id, fields, sent >= annotations.length))) await update(run.id, annotations.slice(sent, sent + ANNOTATIONS_PER_REQUEST));
      // GitHub appends each request's annotations: the rest go 50 at a time, each through the gate.
      while (sent < annotations.length) {
        reserveOrWait();
        await update(run.id, annotations.slice(sent, sent + ANNOTATIONS_PER_REQUEST));
      }
    },
    classify(err, attempt, at) {
      const jobError = asJobError(err, attempt, at);
      if (jobError instanceof RetryLaterError && err instanceof GithubApiError && (err.status === 403 || err.status === 429)) d.gate.pause(at + jobError.delayMs);
      return jobError;
    },
  };
}
