import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { PHASES, type LocalBuildRecord } from "./build-record.js";

// The files here are tiny and written with sync calls on purpose: start() must register a build
// (its token, its number, its record) before it returns, with no await in between where a second
// start() with the same idempotency token could slip through.

/** CodeBuild project names: letters, digits, `-`, `_` (and `.`, harmless in a folder name). */
export const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,149}$/;
const BUILD_ID = /^local:([A-Za-z0-9][A-Za-z0-9._-]{0,149}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Where one build's files live. */
export interface LocalBuildPaths {
  /** `workDir/<project>-<uuid>`: no `:` in the path, so `$CODEBUILD_SRC_DIR/bin` can go into PATH. */
  readonly dir: string;
  /** CODEBUILD_SRC_DIR: the source, copied or cloned fresh for this build. */
  readonly src: string;
  readonly artifacts: string;
  /** The build's log (stdout and stderr of every command, with CodeBuild-style headers). */
  readonly log: string;
  /** The persisted record (`build.json`), the answer to polls after a restart. */
  readonly record: string;
  /** The runner's command files and saved shell state. */
  readonly control: string;
}

/** The files of a build id, or undefined when the id is not a local build id. */
export function localBuildPaths(workDir: string, buildId: string): LocalBuildPaths | undefined {
  const m = BUILD_ID.exec(buildId);
  if (!m) return undefined;
  const dir = join(workDir, `${m[1]}-${m[2]}`);
  return { dir, src: join(dir, "src"), artifacts: join(dir, "artifacts"), log: join(dir, "build.log"), record: join(dir, "build.json"), control: join(dir, ".runner") };
}

const Phase = z.object({
  type: z.enum(PHASES),
  status: z.enum(["SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED"]).optional(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  durationSeconds: z.number().optional(),
  contexts: z.array(z.object({ statusCode: z.string(), message: z.string() })).optional(),
});
const Record_ = z.object({
  id: z.string(),
  project: z.string(),
  buildNumber: z.number(),
  sourceVersion: z.string(),
  idempotencyToken: z.string(),
  status: z.enum(["IN_PROGRESS", "SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED"]),
  currentPhase: z.enum(PHASES),
  phases: z.array(Phase),
  startedAt: z.number(),
  endedAt: z.number().optional(),
  resolvedSourceVersion: z.string().optional(),
  exportedVariables: z.record(z.string(), z.string()).optional(),
  logsUrl: z.string().optional(),
});

/** Writes the record atomically (temp file + rename): a crash never leaves half a JSON behind. */
export function saveRecord(path: string, rec: LocalBuildRecord): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(rec, null, 2)}\n`);
  renameSync(tmp, path);
}

/** The persisted record, or undefined when there is none (or it is not one of ours). */
export function loadRecord(path: string): LocalBuildRecord | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = Record_.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as LocalBuildRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** What an idempotency token was first used for. */
export interface TokenEntry {
  readonly buildId: string;
  readonly project: string;
  readonly sourceVersion: string;
}

const tokenPath = (workDir: string, token: string) => join(workDir, ".tokens", `${createHash("sha256").update(token).digest("hex")}.json`);

export function readToken(workDir: string, token: string): TokenEntry | undefined {
  try {
    return JSON.parse(readFileSync(tokenPath(workDir, token), "utf8")) as TokenEntry;
  } catch {
    return undefined;
  }
}

export function writeToken(workDir: string, token: string, entry: TokenEntry): void {
  mkdirSync(join(workDir, ".tokens"), { recursive: true });
  writeFileSync(tokenPath(workDir, token), JSON.stringify(entry));
}

const keyPath = (workDir: string, project: string, key: string) => join(workDir, ".keys", `${createHash("sha256").update(`${project}\n${key}`).digest("hex")}.json`);

/** The build started for a project with `BUILDGATE_BUILD_KEY=key` (what CodeBuild's environment variables tell). */
export function readKey(workDir: string, project: string, key: string): { readonly buildId: string } | undefined {
  try {
    return JSON.parse(readFileSync(keyPath(workDir, project, key), "utf8")) as { buildId: string };
  } catch {
    return undefined;
  }
}

export function writeKey(workDir: string, project: string, key: string, buildId: string): void {
  mkdirSync(join(workDir, ".keys"), { recursive: true });
  writeFileSync(keyPath(workDir, project, key), JSON.stringify({ buildId }));
}

/** CODEBUILD_BUILD_NUMBER: 1, 2, 3… per project, kept across restarts. */
export function nextBuildNumber(workDir: string, project: string): number {
  const path = join(workDir, ".numbers", project);
  mkdirSync(join(workDir, ".numbers"), { recursive: true });
  let last = 0;
  try {
    last = Number.parseInt(readFileSync(path, "utf8"), 10) || 0;
  } catch {
    // first build of the project
  }
  writeFileSync(path, String(last + 1));
  return last + 1;
}
