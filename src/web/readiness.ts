import type { Logger } from "pino";
import type { Store } from "../store/store.js";
import type { DrainState } from "./drain-state.js";

export interface ReadinessDeps {
  readonly store: Pick<Store, "ping" | "schemaIsCurrent">;
  readonly drain: Pick<DrainState, "draining">;
  readonly log: Pick<Logger, "error">;
}

/**
 * Why the process should get no traffic now, or undefined when it is ready: it is shutting
 * down, the store does not answer, or the store's schema lacks a migration this version needs
 * (another version migrated it back, or a restore).
 */
export async function readinessProblem(deps: ReadinessDeps): Promise<string | undefined> {
  if (deps.drain.draining) return "shutting down";
  try {
    await deps.store.ping();
    if (!(await deps.store.schemaIsCurrent())) return "store schema is not current: run `buildgate migrate`";
  } catch (err) {
    deps.log.error({ err }, "readiness check failed: store does not answer");
    return "store does not answer";
  }
  // The checks took a while: the process may have started draining meanwhile.
  return deps.drain.draining ? "shutting down" : undefined;
}
