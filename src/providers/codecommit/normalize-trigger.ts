import { ignored, type NormalizeResult, type SourceEvent } from "../../domain/source-event.js";
import type { TriggerPayload } from "./codecommit-schemas.js";

const time = (s: string | undefined) => {
  const t = s ? Date.parse(s) : NaN;
  return Number.isFinite(t) ? { occurredAt: t } : {};
};

/**
 * A repository trigger (ref changes) → one push or tag event per changed reference. Triggers
 * carry no old commit, so changed files are unknown and path filters build rather than skip.
 */
export function normalizeCodeCommitTrigger(payload: TriggerPayload, deliveryId: string): NormalizeResult {
  const events: SourceEvent[] = [];
  const skipped: string[] = [];
  for (const record of payload.Records) {
    const [, , , region = "", account = "", repository = ""] = record.eventSourceARN.split(":");
    for (const r of record.codecommit.references) {
      const isTag = r.ref.startsWith("refs/tags/");
      if (r.deleted) {
        skipped.push(`${r.ref} was deleted`);
        continue;
      }
      if (!isTag && !r.ref.startsWith("refs/heads/")) {
        skipped.push(`${r.ref} is neither a branch nor a tag`);
        continue;
      }
      const short = r.ref.slice(isTag ? "refs/tags/".length : "refs/heads/".length);
      events.push({
        provider: "codecommit",
        deliveryId,
        repository,
        location: { region, account },
        kind: isTag ? "tag" : "push",
        action: r.created ? "created" : "pushed",
        ref: r.ref,
        ...(isTag ? { tag: short } : { branch: short }),
        sha: r.commit,
        actor: record.userIdentityARN ?? "unknown",
        ...time(record.eventTime),
      });
    }
  }
  if (events.length === 0) return ignored(skipped.length ? `nothing to build: ${skipped.join("; ")}` : "the trigger lists no references");
  return events.length === 1 ? { kind: "event", event: events[0] as SourceEvent } : { kind: "events", events };
}
