import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LocalBuilder } from "../../src/builders/local/local-builder.js";
import type { LocalBuildSnapshot } from "../../src/builders/local/build-record.js";
import { localBuildPaths, type LocalBuildPaths } from "../../src/builders/local/record-files.js";
import type { StartRequest } from "../../src/domain/builder.js";

/** Source folders with real buildspec.yml files. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "local");

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `bg-${prefix}-`));

/** A start request with a fresh idempotency token; route names the fixture folder in most tests. */
export function request(over: Partial<StartRequest> = {}): StartRequest {
  return { route: "ok", project: "demo", sourceVersion: "refs/heads/main", env: {}, idempotencyToken: randomUUID(), ...over };
}

/** Polls until the build leaves IN_PROGRESS. */
export async function finished(builder: LocalBuilder, id: string, timeoutMs = 10_000): Promise<LocalBuildSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { snapshots } = await builder.poll([id]);
    const snap = snapshots[0];
    if (snap && snap.status !== "IN_PROGRESS") return snap;
    if (Date.now() > deadline) throw new Error(`build ${id} still ${snap?.currentPhase ?? "unknown"} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** The build's snapshot now (fails the test when the builder does not know it). */
export async function snapshotOf(builder: LocalBuilder, id: string): Promise<LocalBuildSnapshot> {
  const snap = (await builder.poll([id])).snapshots[0];
  if (!snap) throw new Error(`build ${id} not found`);
  return snap;
}

/** Polls until the build's current phase is `phase`. */
export async function reached(builder: LocalBuilder, id: string, phase: string, timeoutMs = 10_000): Promise<LocalBuildSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snap = (await builder.poll([id])).snapshots[0];
    if (snap?.currentPhase === phase) return snap;
    if (Date.now() > deadline) throw new Error(`build ${id} did not reach ${phase} (at ${snap?.currentPhase}) within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** `TYPE:STATUS` for every phase (`COMPLETED` alone), the shape a failing test prints best. */
export const phaseList = (snap: LocalBuildSnapshot) => snap.phases.map((p) => (p.status ? `${p.type}:${p.status}` : p.type));

export const pathsOf = (workDir: string, id: string): LocalBuildPaths => {
  const paths = localBuildPaths(workDir, id);
  if (!paths) throw new Error(`not a local build id: ${id}`);
  return paths;
};

export const logOf = (workDir: string, id: string) => readFileSync(pathsOf(workDir, id).log, "utf8");

/** The log without the `[Container] <date> <time> ` prefixes, for order checks. */
export const logLines = (workDir: string, id: string) => logOf(workDir, id).split("\n").map((l) => l.replace(/^\[Container\] \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} /, "> "));
