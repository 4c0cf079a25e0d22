import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { BuildLog } from "./build-log.js";
import type { PhaseContext } from "./build-record.js";
import { BuildspecError, parseBuildspec, type Buildspec } from "./buildspec.js";
import { fetchSource, SourceError } from "./fetch-source.js";
import type { BuildJob } from "./build-job.js";
import type { ResolvedLocalOptions } from "./local-builder-options.js";

/** DOWNLOAD_SOURCE's outcome: the buildspec to run, or why the phase failed (the build's fault, not the host's). */
export type Downloaded = { readonly spec: Buildspec } | { readonly error: PhaseContext };

/**
 * DOWNLOAD_SOURCE: fetches the source into CODEBUILD_SRC_DIR, then takes the route's inline
 * buildspec or reads `buildspec.yml` from the source. A source that cannot be fetched is a
 * CLIENT_ERROR and a buildspec that cannot run (no file, bad YAML, version other than 0.2,
 * unsupported keys) a YAML_FILE_ERROR, both with CodeBuild's status codes.
 */
export async function downloadSource(job: BuildJob, o: ResolvedLocalOptions, log: BuildLog): Promise<Downloaded> {
  log.line(`CODEBUILD_SRC_DIR=${job.paths.src}`);
  try {
    const resolved = await fetchSource(job.source, {
      dest: job.paths.src,
      ...(job.request.sha ? { sha: job.request.sha } : {}),
      sourceVersion: job.record.sourceVersion,
      env: o.hostEnv,
      signal: job.controller.signal,
      log,
    });
    if (resolved) job.record.resolvedSourceVersion = resolved;
  } catch (err) {
    if (err instanceof SourceError) return { error: { statusCode: "CLIENT_ERROR", message: err.message } };
    throw err;
  }
  const spec = await loadBuildspec(job, log);
  if ("statusCode" in spec) return { error: spec };
  describeSpec(spec, log, job.paths.src);
  return { spec };
}

async function loadBuildspec(job: BuildJob, log: BuildLog): Promise<Buildspec | PhaseContext> {
  if (job.inline) {
    log.line("Using the route's inline buildspec");
    return job.inline;
  }
  const path = join(job.paths.src, "buildspec.yml");
  log.line(`YAML location is ${path}`);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return { statusCode: "YAML_FILE_ERROR", message: `stat ${path}: no such file or directory` };
  }
  try {
    return parseBuildspec(text);
  } catch (err) {
    if (err instanceof BuildspecError) return { statusCode: "YAML_FILE_ERROR", message: err.message };
    throw err;
  }
}

/** CodeBuild's opening lines, plus what the local runner ignores. */
function describeSpec(spec: Buildspec, log: BuildLog, src: string): void {
  if (spec.ignored.length > 0) log.line(`Ignoring buildspec keys the local runner does not support: ${spec.ignored.join(", ")}`);
  log.line("Processing environment variables");
  log.line(`Moving to directory ${src}`);
  const phases = Object.entries(spec.phases).filter(([, p]) => p !== undefined);
  log.line(`Phases found in YAML: ${phases.length}`);
  for (const [name, p] of phases) log.line(` ${name.toUpperCase()}: ${(p?.commands.length ?? 0) + (p?.finally.length ?? 0)} commands`);
}
