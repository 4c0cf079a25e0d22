import type { Build, PhaseContext as CodeBuildContext } from "@aws-sdk/client-codebuild";
import type { BuildSnapshot, PhaseContext, PhaseRecord } from "../../domain/build-snapshot.js";

const ms = (d: Date | undefined) => (d ? d.getTime() : undefined);

/** The contexts that say something: CodeBuild gives finished phases `[{statusCode: "", message: ""}]`. */
function contextsOf(list: readonly CodeBuildContext[] | undefined): PhaseContext[] {
  return (list ?? []).map((c) => ({ statusCode: c.statusCode ?? "", message: c.message ?? "" })).filter((c) => c.statusCode !== "" || c.message !== "");
}

/** CodeBuild's Build (from BatchGetBuilds or StartBuild) → a BuildSnapshot. */
export function toSnapshot(build: Build): BuildSnapshot {
  const phases: PhaseRecord[] = (build.phases ?? []).map((p) => {
    const contexts = contextsOf(p.contexts);
    return {
      type: p.phaseType ?? "UNKNOWN",
      ...(p.phaseStatus ? { status: p.phaseStatus } : {}),
      ...(p.startTime ? { startedAt: ms(p.startTime) } : {}),
      ...(p.endTime ? { endedAt: ms(p.endTime) } : {}),
      ...(p.durationInSeconds !== undefined ? { durationSeconds: p.durationInSeconds } : {}),
      ...(contexts.length > 0 ? { contexts } : {}),
    };
  });
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
