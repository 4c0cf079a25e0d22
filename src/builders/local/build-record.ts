import type { BuildSnapshot, PhaseContext, PhaseRecord } from "../../domain/build-snapshot.js";

export type { PhaseContext } from "../../domain/build-snapshot.js";

/** CodeBuild's phase order; a local build goes through the same phases so the board shows both alike. */
export const PHASES = ["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING", "COMPLETED"] as const;
export type PhaseType = (typeof PHASES)[number];
export type EndStatus = "SUCCEEDED" | "FAILED" | "FAULT" | "TIMED_OUT" | "STOPPED";
/** CodeBuild's `buildStatus` values. */
export type BuildStatus = "IN_PROGRESS" | EndStatus;

/** A PhaseRecord of one of CodeBuild's phase types. */
export interface LocalPhaseRecord extends PhaseRecord {
  readonly type: PhaseType;
}

/** What a builder's poll answers for a local build: a BuildSnapshot plus the exported variables. */
export interface LocalBuildSnapshot extends BuildSnapshot {
  readonly phases: readonly LocalPhaseRecord[];
  /** `env.exported-variables` as they were when the last build phase ended. */
  readonly exportedVariables?: Readonly<Record<string, string>>;
}

/**
 * The whole state of one local build, kept in memory while it runs and persisted as
 * `build.json` next to its log after every change, so that a restarted gateway still answers polls.
 */
export interface LocalBuildRecord {
  readonly id: string;
  readonly project: string;
  readonly buildNumber: number;
  readonly sourceVersion: string;
  readonly idempotencyToken: string;
  status: BuildStatus;
  currentPhase: PhaseType;
  phases: LocalPhaseRecord[];
  readonly startedAt: number;
  endedAt?: number;
  resolvedSourceVersion?: string;
  exportedVariables?: Record<string, string>;
  readonly logsUrl?: string;
}

export type NewRecord = Pick<LocalBuildRecord, "id" | "project" | "buildNumber" | "sourceVersion" | "idempotencyToken" | "resolvedSourceVersion" | "logsUrl">;

/** A build as start() creates it: SUBMITTED done, waiting in QUEUED. */
export function newRecord(fields: NewRecord, at: number): LocalBuildRecord {
  return {
    ...fields,
    status: "IN_PROGRESS",
    currentPhase: "QUEUED",
    phases: [
      { type: "SUBMITTED", status: "SUCCEEDED", startedAt: at, endedAt: at, durationSeconds: 0 },
      { type: "QUEUED", startedAt: at },
    ],
    startedAt: at,
  };
}

/** The phase that has started and not ended, if any. */
export function openPhase(rec: LocalBuildRecord): LocalPhaseRecord | undefined {
  const last = rec.phases[rec.phases.length - 1];
  return last && last.status === undefined && last.type !== "COMPLETED" ? last : undefined;
}

export function enterPhase(rec: LocalBuildRecord, type: PhaseType, at: number): void {
  rec.phases.push({ type, startedAt: at });
  rec.currentPhase = type;
}

/** Ends the open phase (no-op when none is open). */
export function endPhase(rec: LocalBuildRecord, status: EndStatus, at: number, context?: PhaseContext): void {
  const open = openPhase(rec);
  if (!open) return;
  const startedAt = open.startedAt ?? at;
  rec.phases[rec.phases.length - 1] = {
    ...open,
    status,
    endedAt: at,
    durationSeconds: Math.round((at - startedAt) / 1000),
    ...(context ? { contexts: [context] } : {}),
  };
}

/** COMPLETED carries only its type and start, as in CodeBuild. */
export function completeBuild(rec: LocalBuildRecord, status: EndStatus, at: number): void {
  rec.phases.push({ type: "COMPLETED", startedAt: at });
  rec.currentPhase = "COMPLETED";
  rec.status = status;
  rec.endedAt = at;
}

export const INTERRUPTED: PhaseContext = { statusCode: "INTERRUPTED", message: "interrupted: the buildgate process ended while the build was running" };

/**
 * A build found IN_PROGRESS on disk that no process runs any more (the gateway died or shut down
 * under it): FAILED, its open phase marked with the "interrupted" context. No local build survives
 * its gateway, so reporting it as running would leave the commit status pending forever.
 */
export function interruptRecord(rec: LocalBuildRecord, at: number): LocalBuildRecord {
  if (rec.status !== "IN_PROGRESS") return rec;
  const copy: LocalBuildRecord = { ...rec, phases: [...rec.phases] };
  if (!openPhase(copy)) enterPhase(copy, "FINALIZING", at);
  endPhase(copy, "FAILED", at, INTERRUPTED);
  completeBuild(copy, "FAILED", at);
  return copy;
}

export function toSnapshot(rec: LocalBuildRecord): LocalBuildSnapshot {
  return {
    externalId: rec.id,
    status: rec.status,
    currentPhase: rec.currentPhase,
    phases: rec.phases.map((p) => ({ ...p })),
    startedAt: rec.startedAt,
    ...(rec.endedAt !== undefined ? { endedAt: rec.endedAt } : {}),
    ...(rec.resolvedSourceVersion ? { resolvedSourceVersion: rec.resolvedSourceVersion } : {}),
    ...(rec.logsUrl ? { logsUrl: rec.logsUrl } : {}),
    ...(rec.exportedVariables ? { exportedVariables: { ...rec.exportedVariables } } : {}),
  };
}
