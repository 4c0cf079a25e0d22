/**
 * CodeBuild's phase context (`phases[].contexts[]`): why a phase ended as it did, e.g.
 * `COMMAND_EXECUTION_ERROR` / `Error while executing command: npm test. Reason: exit status 1`.
 * The local runner writes the same shape.
 */
export interface PhaseContext {
  readonly statusCode: string;
  readonly message: string;
}

/** One CodeBuild phase as buildgate stores it. Times are epoch milliseconds. */
export interface PhaseRecord {
  readonly type: string;
  readonly status?: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly durationSeconds?: number;
  /** Absent in records stored before buildgate kept them, and on phases CodeBuild gave none. */
  readonly contexts?: readonly PhaseContext[];
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

/** The phases as stored in `builds.phases` (JSON); none when the column is empty or not JSON. */
export function storedPhases(json: string | null | undefined): PhaseRecord[] {
  if (!json) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? (parsed as PhaseRecord[]) : [];
  } catch {
    return [];
  }
}
