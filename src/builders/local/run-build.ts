import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { BuildLog } from "./build-log.js";
import { buildEnvironment } from "./build-env.js";
import type { AbortReason, BuildJob } from "./build-job.js";
import { INTERRUPTED, type EndStatus, type LocalBuildRecord, type PhaseContext } from "./build-record.js";
import type { Buildspec } from "./buildspec.js";
import { collectArtifacts } from "./collect-artifacts.js";
import { downloadSource } from "./download-source.js";
import type { ResolvedLocalOptions } from "./local-builder-options.js";
import { readExportedVariables, runShellPhases } from "./phase-runner.js";
import { PhaseTracker } from "./phase-tracker.js";
import { ShellSession } from "./shell-session.js";
import type { Slots } from "./slots.js";

export interface RunDeps {
  readonly options: ResolvedLocalOptions;
  readonly slots: Slots;
  /** Saves the record (build.json); called after every phase change. */
  readonly persist: (rec: LocalBuildRecord) => void;
}

/** How an aborted build ends: its open phase's status and context, and the build's status. */
function ending(reason: AbortReason, timeoutMs: number): { status: EndStatus; build: EndStatus; context: PhaseContext } {
  switch (reason) {
    case "STOPPED":
      return { status: "STOPPED", build: "STOPPED", context: { statusCode: "BUILD_STOPPED", message: "The build was stopped" } };
    case "TIMED_OUT":
      return { status: "TIMED_OUT", build: "TIMED_OUT", context: { statusCode: "BUILD_TIMED_OUT", message: `Build has timed out after ${formatTimeout(timeoutMs)}` } };
    case "INTERRUPTED":
      return { status: "FAILED", build: "FAILED", context: INTERRUPTED };
  }
}

const formatTimeout = (ms: number) => (ms >= 60_000 ? `${+(ms / 60_000).toFixed(2)} minutes` : `${+(ms / 1000).toFixed(3)} seconds`);

/**
 * Runs one build from QUEUED to COMPLETED. Never rejects: whatever happens ends in the record
 * (STOPPED, TIMED_OUT, FAILED "interrupted", or FAULT for the runner's own errors), so a poll
 * always gets a final answer.
 */
export async function runBuild(job: BuildJob, deps: RunDeps): Promise<void> {
  const o = deps.options;
  const log = new BuildLog(job.paths.log, o.maxLogBytes, o.now);
  const tracker = new PhaseTracker(job.record, log, o.now, deps.persist);
  const signal = job.controller.signal;
  let release: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    release = await deps.slots.acquire(signal);
    tracker.next("PROVISIONING");
    // The timeout starts when the build leaves the queue, as CodeBuild's build timeout does.
    timer = setTimeout(() => job.controller.abort("TIMED_OUT" satisfies AbortReason), o.timeoutMs);
    await Promise.all([mkdir(job.paths.control, { recursive: true }), mkdir(job.paths.artifacts, { recursive: true })]);
    log.line("Running on the buildgate local runner: CodeBuild buildspec 0.2 semantics, commands run on this host");
    tracker.next("DOWNLOAD_SOURCE");
    const downloaded = await downloadSource(job, o, log);
    signal.throwIfAborted();
    if ("error" in downloaded) {
      tracker.end("FAILED", downloaded.error);
      return await tracker.complete("FAILED");
    }
    tracker.end("SUCCEEDED");
    await tracker.complete(await runSpec(job, downloaded.spec, o, log, tracker));
  } catch (err) {
    if (signal.aborted) {
      const e = ending(signal.reason as AbortReason, o.timeoutMs);
      tracker.end(e.status, e.context);
      await tracker.complete(e.build);
    } else {
      o.log?.warn({ err, buildId: job.record.id }, "local build failed in the runner");
      tracker.end("FAULT", { statusCode: "FAULT", message: (err as Error)?.message ?? String(err) });
      await tracker.complete("FAULT");
    }
  } finally {
    clearTimeout(timer);
    release?.();
    await log.close();
  }
}

/** The command phases in one shell, the exported variables, then UPLOAD_ARTIFACTS. Resolves the build's status. */
async function runSpec(job: BuildJob, spec: Buildspec, o: ResolvedLocalOptions, log: BuildLog, tracker: PhaseTracker): Promise<EndStatus> {
  const env = buildEnvironment({ host: o.hostEnv, declared: spec.env.variables, request: job.request.env, record: job.record, srcDir: job.paths.src, ...gitUrl(job) });
  const shell = new ShellSession({
    shell: o.shell,
    cwd: job.paths.src,
    env,
    controlDir: job.paths.control,
    onOutput: (c) => log.output(c),
    onShellExit: (s) => log.line(`The shell exited with status ${s}; later commands run in a new shell with the exported variables, functions and working directory it had`),
  });
  const kill = () => shell.kill();
  job.controller.signal.addEventListener("abort", kill, { once: true });
  let ok: boolean;
  try {
    ok = await runShellPhases(spec, { shell, log, tracker });
    const names = spec.env["exported-variables"];
    if (names.length > 0) job.record.exportedVariables = await readExportedVariables(shell, names, join(job.paths.control, "exported-variables"));
  } finally {
    job.controller.signal.removeEventListener("abort", kill);
    await shell.close();
  }
  job.controller.signal.throwIfAborted();
  // Always attempted, even after a failed phase: the artifacts of a failed build help debug it.
  tracker.enter("UPLOAD_ARTIFACTS");
  const artifacts = await collectArtifacts(spec.artifacts, job.paths.src, job.paths.artifacts, (line) => log.line(line));
  job.controller.signal.throwIfAborted();
  tracker.end(artifacts.ok ? "SUCCEEDED" : "FAILED", artifacts.ok ? undefined : { statusCode: "CLIENT_ERROR", message: artifacts.message });
  return ok && artifacts.ok ? "SUCCEEDED" : "FAILED";
}

const gitUrl = (job: BuildJob) => (job.source && "git" in job.source ? { gitUrl: job.source.git } : {});
