import { parseCodeBuildEvent } from "../../domain/codebuild-event.js";
import { ignored, type NormalizeResult } from "../../domain/source-event.js";
import { EventEnvelope, TriggerPayload } from "./codecommit-schemas.js";
import { normalizeCodeCommitEvent } from "./normalize-codecommit-event.js";
import { normalizeCodeCommitTrigger } from "./normalize-trigger.js";

/** Detail types the EventBridge intake stores for processing; any other is stored as ignored. */
export const HANDLED_DETAIL_TYPES: ReadonlySet<string> = new Set([
  "CodeCommit Repository State Change",
  "CodeCommit Pull Request State Change",
  "CodeBuild Build State Change",
  "CodeBuild Build Phase Change",
]);

/**
 * A verified SNS notification's message or an EventBridge event: a CodeCommit repository
 * trigger, a CodeCommit event, or a CodeBuild state change (a tracking hint).
 */
export function normalizeCodeCommitDelivery(_event: string, payload: unknown, deliveryId: string): NormalizeResult {
  if (payload && typeof payload === "object" && "Records" in payload) {
    const trigger = TriggerPayload.safeParse(payload);
    if (!trigger.success) return ignored(`malformed repository trigger: ${trigger.error.issues[0]?.path.join(".")}: ${trigger.error.issues[0]?.message}`);
    return normalizeCodeCommitTrigger(trigger.data, deliveryId);
  }
  const envelope = EventEnvelope.safeParse(payload);
  if (!envelope.success) return ignored("not a CodeCommit trigger or an EventBridge event");
  const e = envelope.data;
  if (e.source === "aws.codebuild") {
    const hint = parseCodeBuildEvent(e);
    return hint ? { kind: "hint", buildIds: [hint.buildId], reason: `${hint.detailType} (${hint.status ?? "?"}) for ${hint.buildId}: polling it now` } : ignored(`CodeBuild event ${e["detail-type"]} is not a build state or phase change`);
  }
  if (e.source !== "aws.codecommit") return ignored(`events from ${e.source} are not handled`);
  return normalizeCodeCommitEvent(e, deliveryId);
}
