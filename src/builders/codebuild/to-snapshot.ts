import type { Build } from "@aws-sdk/client-codebuild";
import type { BuildSnapshot, PhaseRecord } from "../../domain/build-snapshot.js";

const ms = (d: Date | undefined) => (d ? d.getTime() : undefined);

/** CodeBuild's Build (from BatchGetBuilds or StartBuild) → a BuildSnapshot. */
export function toSnapshot(build: Build): BuildSnapshot {
  const phases: PhaseRecord[] = (build.phases ?? []).map((p) => ({
    type: p.phaseType ?? "UNKNOWN",
    ...(p.phaseStatus ? { status: p.phaseStatus } : {}),
    ...(p.startTime ? { startedAt: ms(p.startTime) } : {}),
    ...(p.endTime ? { endedAt: ms(p.endTime) } : {}),
    ...(p.durationInSeconds !== undefined ? { durationSeconds: p.durationInSeconds } : {}),
  }));
  return {
    externalId: build.id ?? "",
    status: build.buildStatus ?? "IN_PROGRESS",
    ...(build.currentPhase ? { currentPhase: build.currentPhase } : {}),
    phases,
    ...(build.startTime ? { startedAt: ms(build.startTime) } : {}),
    ...(build.endTime ? { endedAt: ms(build.endTime) } : {}),
    ...(build.resolvedSourceVersion ? { resolvedSourceVersion: build.resolvedSourceVersion } : {}),
    ...(build.logs?.deepLink ? { logsUrl: build.logs.deepLink } : {}),
  };
}
