import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { BuilderError, type Builder, type StartedBuild, type StartRequest } from "../../domain/builder.js";
import type { AbortReason, BuildJob } from "./build-job.js";
import { interruptRecord, newRecord, toSnapshot, type LocalBuildRecord, type LocalBuildSnapshot } from "./build-record.js";
import { BuildspecError, parseBuildspec, type Buildspec } from "./buildspec.js";
import { resolveLocalOptions, type LocalBuilderOptions, type ResolvedLocalOptions } from "./local-builder-options.js";
import { loadRecord, localBuildPaths, nextBuildNumber, PROJECT_NAME, readKey, readToken, saveRecord, writeKey, writeToken, type LocalBuildPaths } from "./record-files.js";
import { runBuild } from "./run-build.js";
import { Slots } from "./slots.js";

/** The local runner: a Builder, plus close() for shutdown. */
export interface LocalBuilder extends Builder {
  poll(buildIds: readonly string[]): Promise<{ snapshots: readonly LocalBuildSnapshot[]; notFound: readonly string[] }>;
  /** Stops taking builds; builds still running are killed and recorded FAILED ("interrupted"). */
  close(): Promise<void>;
}

interface Active {
  readonly record: LocalBuildRecord;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * Builder `local`: runs a route's buildspec on this host with CodeBuild's version 0.2 semantics,
 * so that buildgate works end to end with no AWS account. A development and small-team mode: the
 * build runs as the gateway's user, with no container; only its environment is isolated.
 *
 * start() returns at once (the build runs in the background, at most `concurrency` at a time);
 * poll() answers from memory, or from each build's `build.json` for builds this process did not
 * run (after a restart, a build that was running is reported FAILED, "interrupted").
 */
export function createLocalBuilder(options: LocalBuilderOptions): LocalBuilder {
  const o = resolveLocalOptions(options);
  mkdirSync(o.workDir, { recursive: true });
  const slots = new Slots(o.concurrency);
  const active = new Map<string, Active>();
  let closed = false;

  const persist = (rec: LocalBuildRecord) => {
    const paths = localBuildPaths(o.workDir, rec.id);
    try {
      if (paths) saveRecord(paths.record, rec);
    } catch (err) {
      // The in-memory record still answers polls while this process lives.
      o.log?.warn({ err, buildId: rec.id }, "cannot save the local build record");
    }
  };

  const launch = (job: BuildJob) => {
    const done = runBuild(job, { options: o, slots, persist })
      .catch((err: unknown) => o.log?.warn({ err, buildId: job.record.id }, "local build runner crashed")) // runBuild records its own failures; this is a last resort
      .finally(() => active.delete(job.record.id));
    active.set(job.record.id, { record: job.record, controller: job.controller, done });
  };

  /** The record of a build this process is not running: persisted, and interrupted if it was left running. */
  const stored = (paths: LocalBuildPaths): LocalBuildRecord | undefined => {
    const rec = loadRecord(paths.record);
    if (!rec || rec.status !== "IN_PROGRESS") return rec;
    const interrupted = interruptRecord(rec, o.now());
    persist(interrupted);
    return interrupted;
  };

  return {
    maxPollBatch: 100,

    async start(request) {
      if (closed) throw new BuilderError("the local builder is shutting down", true);
      const refusal = o.refuse?.(request);
      if (refusal) throw new BuilderError(refusal, false);
      try {
        const previous = sameToken(o, request);
        if (previous) return previous;
        const job = createJob(o, request);
        persist(job.record);
        writeToken(o.workDir, request.idempotencyToken, { buildId: job.record.id, project: request.project, sourceVersion: request.sourceVersion });
        const key = request.env.BUILDGATE_BUILD_KEY;
        if (key) writeKey(o.workDir, request.project, key, job.record.id);
        launch(job);
        return started(job.record);
      } catch (err) {
        // Anything but our own verdicts is the host's trouble (a full disk, permissions): worth a retry.
        throw err instanceof BuilderError ? err : new BuilderError(`local runner: ${(err as Error).message}`, true);
      }
    },

    async poll(ids) {
      if (ids.length > 100) throw new BuilderError(`poll takes at most 100 build ids, got ${ids.length}`, false);
      const snapshots: LocalBuildSnapshot[] = [];
      const notFound: string[] = [];
      for (const id of ids) {
        const paths = localBuildPaths(o.workDir, id);
        const rec = active.get(id)?.record ?? (paths ? stored(paths) : undefined);
        if (rec) snapshots.push(toSnapshot(rec));
        else notFound.push(id);
      }
      return { snapshots, notFound };
    },

    /** Tokens never expire here (start() dedupes forever), but the contract is CodeBuild's: the build started with this key. */
    async findByKey(project, key, since) {
      const entry = readKey(o.workDir, project, key);
      const paths = entry && localBuildPaths(o.workDir, entry.buildId);
      const rec = entry && (active.get(entry.buildId)?.record ?? (paths ? loadRecord(paths.record) : undefined));
      return rec && rec.startedAt >= since ? started(rec) : undefined;
    },

    async stop(id) {
      const run = active.get(id);
      if (run) {
        run.controller.abort("STOPPED" satisfies AbortReason);
        return run.done;
      }
      const paths = localBuildPaths(o.workDir, id);
      if (!paths || !stored(paths)) throw new BuilderError(`unknown local build ${id}`, false);
    },

    async close() {
      closed = true;
      const runs = [...active.values()];
      for (const run of runs) run.controller.abort("INTERRUPTED" satisfies AbortReason);
      await Promise.all(runs.map((r) => r.done));
    },
  };
}

const started = (rec: LocalBuildRecord): StartedBuild => ({ buildId: rec.id, ...(rec.logsUrl ? { logsUrl: rec.logsUrl } : {}) });

/**
 * The build an idempotency token already started (CodeBuild's StartBuild contract, without its
 * 5-minute window: the token file lasts as long as the work folder). The same token with another
 * project or source version is a caller bug, refused as CodeBuild refuses it.
 */
function sameToken(o: ResolvedLocalOptions, request: StartRequest): StartedBuild | undefined {
  const entry = readToken(o.workDir, request.idempotencyToken);
  if (!entry) return undefined;
  if (entry.project !== request.project || entry.sourceVersion !== request.sourceVersion) {
    throw new BuilderError(`idempotency token ${request.idempotencyToken} was already used with different parameters`, false);
  }
  const logsUrl = o.logsUrl?.(entry.buildId);
  return { buildId: entry.buildId, ...(logsUrl ? { logsUrl } : {}) };
}

/** Checks the request (throwing non-retryable BuilderErrors) and creates the build's record and folder. */
function createJob(o: ResolvedLocalOptions, request: StartRequest): BuildJob {
  if (!PROJECT_NAME.test(request.project)) throw new BuilderError(`invalid project name ${JSON.stringify(request.project)}: letters, digits, '-', '_', '.'`, false);
  const source = o.sources(request);
  const inlineText = o.buildspec?.(request);
  const where = request.route ? `route ${request.route}` : `project ${request.project}`;
  if (!source && inlineText === undefined) throw new BuilderError(`the local runner has no source and no buildspec for ${where}`, false);
  const inline = inlineText === undefined ? undefined : parseInline(inlineText, where);
  const id = `local:${request.project}:${randomUUID()}`;
  const paths = localBuildPaths(o.workDir, id) as LocalBuildPaths;
  mkdirSync(paths.dir, { recursive: true });
  const logsUrl = o.logsUrl?.(id);
  // A copied folder has no commit of its own: it stands for the commit buildgate asked for.
  const resolved = source && "git" in source ? undefined : request.sha;
  const record = newRecord(
    { id, project: request.project, buildNumber: nextBuildNumber(o.workDir, request.project), sourceVersion: request.sourceVersion, idempotencyToken: request.idempotencyToken, ...(resolved ? { resolvedSourceVersion: resolved } : {}), ...(logsUrl ? { logsUrl } : {}) },
    o.now(),
  );
  return { record, paths, request, source, inline, controller: new AbortController() };
}

/** An inline buildspec is checked before the build exists: a broken one can never succeed, so no retry. */
function parseInline(text: string, where: string): Buildspec {
  try {
    return parseBuildspec(text);
  } catch (err) {
    if (err instanceof BuildspecError) throw new BuilderError(`the inline buildspec of ${where}: ${err.message}`, false);
    throw err;
  }
}
