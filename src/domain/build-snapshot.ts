/** One CodeBuild phase as buildgate stores it. Times are epoch milliseconds. */
export interface PhaseRecord {
  readonly type: string;
  readonly status?: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly durationSeconds?: number;
}

/** What a builder says about one build right now. */
export interface BuildSnapshot {
  readonly externalId: string;
  /** The builder's raw status (CodeBuild `buildStatus`). */
  readonly status: string;
  readonly currentPhase?: string;
  readonly phases: readonly PhaseRecord[];
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly resolvedSourceVersion?: string;
  readonly logsUrl?: string;
}

/** The phase a build failed in: the first phase whose status is not SUCCEEDED. */
export function failedPhase(phases: readonly PhaseRecord[]): PhaseRecord | undefined {
  return phases.find((p) => p.status !== undefined && p.status !== "SUCCEEDED");
}
