import { cp, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { BuildLog } from "./build-log.js";
import type { LocalSource } from "./local-builder-options.js";
import { runProcess } from "./run-process.js";

/** The source could not be fetched: DOWNLOAD_SOURCE fails with CLIENT_ERROR (retrying would not help). */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceError";
  }
}

export interface FetchOptions {
  /** CODEBUILD_SRC_DIR; must not exist yet (a clean folder per build). */
  readonly dest: string;
  /** The commit to build, when buildgate knows it. */
  readonly sha?: string;
  /** CodeBuild's sourceVersion: a SHA, a branch, or `ref^{SHA}`. */
  readonly sourceVersion: string;
  /** Environment of git (the host's PATH/HOME/LANG, nothing else). */
  readonly env: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly log: BuildLog;
}

/** The commit a sourceVersion names: `refs/pull/1/head^{SHA}` → SHA; otherwise the version itself. */
export function checkoutTarget(sha: string | undefined, sourceVersion: string): string {
  if (sha) return sha;
  return /\^\{([0-9a-fA-F]{7,64})\}$/.exec(sourceVersion)?.[1] ?? sourceVersion;
}

/**
 * Puts the source in `dest`: a copy of a local folder (as it is on disk: its working tree, not a
 * commit), a clone of a git URL checked out at the commit, or an empty folder. Resolves the
 * commit that was checked out (git only).
 */
export async function fetchSource(source: LocalSource | undefined, o: FetchOptions): Promise<string | undefined> {
  if (!source) {
    o.log.line("No source configured: the build starts in an empty folder");
    await mkdir(o.dest, { recursive: true });
    return undefined;
  }
  if ("path" in source) {
    o.log.line(`Copying the source from ${source.path}`);
    await cp(source.path, o.dest, { recursive: true, verbatimSymlinks: true }).catch((err: Error) => {
      throw new SourceError(`cannot copy the source from ${source.path}: ${err.message}`);
    });
    return undefined;
  }
  return cloneAt(source.git, o);
}

async function cloneAt(url: string, o: FetchOptions): Promise<string> {
  const git = (cwd: string, ...args: string[]) =>
    runProcess("git", ["-c", "advice.detachedHead=false", ...args], { cwd, env: { ...o.env, GIT_TERMINAL_PROMPT: "0" }, signal: o.signal, onOutput: (c) => o.log.output(c) });
  const target = checkoutTarget(o.sha, o.sourceVersion);
  o.log.line(`Cloning ${url}`);
  await mkdir(dirname(o.dest), { recursive: true });
  if ((await git(dirname(o.dest), "clone", "--quiet", "--", url, o.dest)).exitCode !== 0) throw new SourceError(`git clone of ${url} failed`);
  o.log.line(`Checking out ${target}`);
  if ((await git(o.dest, "checkout", "--quiet", "--detach", target, "--")).exitCode !== 0) {
    // A pull request head or another ref the clone did not bring: fetch exactly that.
    const fetched = await git(o.dest, "fetch", "--quiet", "origin", target);
    if (fetched.exitCode !== 0 || (await git(o.dest, "checkout", "--quiet", "--detach", "FETCH_HEAD", "--")).exitCode !== 0) {
      throw new SourceError(`cannot check out ${target} from ${url}`);
    }
  }
  const head = await runProcess("git", ["rev-parse", "HEAD"], { cwd: o.dest, env: o.env, signal: o.signal });
  return head.stdout.trim();
}
