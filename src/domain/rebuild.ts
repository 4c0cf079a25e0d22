import { bornAs } from "./build-lifecycle.js";
import type { BuildState } from "./build-state.js";

/** The key rebuilds are counted under: the original build's (a rebuild of a rebuild counts with its original). */
export const rebuildBase = (dedupeKey: string): string => dedupeKey.replace(/\|rebuild:\d+$/, "");

/** The dedupe key of a rebuild when `count` builds carry the original key (itself included): a new key each time. */
export const rebuildKey = (dedupeKey: string, count: number): string => `${rebuildBase(dedupeKey)}|rebuild:${count}`;

/** What a rebuild does not copy from the build it repeats: it starts over, with nothing of the old run. */
export const REBUILD_RESET = {
  external_id: null,
  logs_url: null,
  error: null,
  started_at: null,
  ended_at: null,
  external_status: null,
  current_phase: null,
  phases: "[]",
  resolved_sha: null,
  polled_at: null,
  superseded_by: null,
  first_start_at: null,
} as const;

export interface Rebuild {
  readonly dedupeKey: string;
  readonly state: BuildState;
  readonly env: Readonly<Record<string, string>>;
  readonly trigger: { readonly rebuildOf: number; readonly actor: string; readonly installationId?: number };
}

/** The new build's own fields: its key, its birth state, its environment and what started it. */
export function rebuildOf(old: { readonly id: number; readonly dedupeKey: string; readonly env: Readonly<Record<string, string>>; readonly installationId?: number }, count: number, actor: string): Rebuild {
  const dedupeKey = rebuildKey(old.dedupeKey, count);
  return {
    dedupeKey,
    state: bornAs("rebuild", "pending"),
    // The build carries its own key: a start retried late looks for it by BUILDGATE_BUILD_KEY.
    env: { ...old.env, BUILDGATE_BUILD_KEY: dedupeKey },
    // A GitHub App reports the rebuild through the installation that reported the original.
    trigger: { rebuildOf: old.id, actor, ...(old.installationId !== undefined ? { installationId: old.installationId } : {}) },
  };
}

/** The GitHub App installation a build's stored trigger (JSON) names, if any. */
export function installationOfTrigger(trigger: string | null): number | undefined {
  if (!trigger) return undefined;
  try {
    const id = (JSON.parse(trigger) as { installationId?: unknown }).installationId;
    return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}
