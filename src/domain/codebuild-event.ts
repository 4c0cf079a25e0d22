/** A CodeBuild "Build State Change" / "Build Phase Change" event, reduced to what a tracking hint needs. */
export interface CodeBuildHint {
  /** The API id (`project:uuid`), not the ARN the event carries. */
  readonly buildId: string;
  readonly detailType: string;
  readonly status?: string;
}

const DETAIL_TYPES = new Set(["CodeBuild Build State Change", "CodeBuild Build Phase Change"]);

/** `arn:aws:codebuild:REGION:ACCOUNT:build/PROJECT:UUID` → `PROJECT:UUID`; an id passes through. */
export function buildIdFromArn(value: string): string | undefined {
  const arn = /^arn:aws[\w-]*:codebuild:[\w-]+:\d{12}:build\/([A-Za-z0-9][A-Za-z0-9_-]{1,149}:[0-9a-f-]{36})$/.exec(value);
  if (arn) return arn[1];
  return /^[A-Za-z0-9][A-Za-z0-9_-]{1,149}:[0-9a-f-]{36}$/.test(value) ? value : undefined;
}

/**
 * Reads a CodeBuild event (an EventBridge envelope, delivered directly or through SNS).
 * Returns undefined for anything else. Events are hints: only the build id is trusted, and the
 * build is then polled (their times are not ISO, and they never carry FAULT or TIMED_OUT).
 */
export function parseCodeBuildEvent(event: unknown): CodeBuildHint | undefined {
  if (!event || typeof event !== "object") return undefined;
  const e = event as { source?: unknown; "detail-type"?: unknown; detail?: Record<string, unknown> };
  if (e.source !== "aws.codebuild" || typeof e["detail-type"] !== "string" || !DETAIL_TYPES.has(e["detail-type"]) || !e.detail) return undefined;
  const raw = e.detail["build-id"];
  const buildId = typeof raw === "string" ? buildIdFromArn(raw) : undefined;
  if (!buildId) return undefined;
  const status = e.detail["build-status"] ?? e.detail["completed-phase-status"];
  return { buildId, detailType: e["detail-type"], ...(typeof status === "string" ? { status } : {}) };
}
