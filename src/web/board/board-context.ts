import type { Config } from "../../config/config.js";
import type { BuildLogs } from "../../domain/build-logs.js";
import type { Store } from "../../store/store.js";
import type { AuthTools } from "../auth/setup-auth.js";
import { githubWebUrl } from "./links.js";
import type { ViewOptions } from "./view-model.js";

/** What every board route needs, built once. */
export interface BoardContext {
  readonly store: Store;
  readonly config: Config;
  readonly auth: AuthTools;
  readonly linkOptions: ViewOptions;
  readonly now: () => number;
  /** The local runner's log file of a build id (undefined: not a local build, or no local runner). */
  readonly localLogFile: (externalId: string) => string | undefined;
  /** Build logs, whichever builder ran the build. */
  readonly logs: BuildLogs;
}

/** Until a log source is wired: every log is "unavailable". */
export const NO_BUILD_LOGS: BuildLogs = {
  after: async () => ({ lines: [], total: 0, complete: true, notice: { kind: "unavailable", message: "build logs are not available on this server" } }),
  last: async () => ({ lines: [], total: 0, complete: true, notice: { kind: "unavailable", message: "build logs are not available on this server" } }),
  raw: async () => undefined,
};

export function createBoardContext(store: Store, config: Config, auth: AuthTools, now: () => number = Date.now, localLogFile: BoardContext["localLogFile"] = () => undefined, logs: BuildLogs = NO_BUILD_LOGS): BoardContext {
  return { store, config, auth, linkOptions: linkOptionsOf(config), now, localLogFile, logs };
}

export function linkOptionsOf(config: Config): BoardContext["linkOptions"] {
  return { githubWeb: githubWebUrl(config.github?.apiUrl ?? "https://api.github.com"), awsRegion: config.codecommit?.region ?? config.aws.region, localRoutes: new Set(config.routes.filter((r) => r.builder === "local").map((r) => r.name)) };
}

/** Parses a keyset cursor or a positive id from the query; anything else is undefined. */
export function positiveInt(value: unknown): number | undefined {
  if (typeof value !== "string" || !/^\d{1,15}$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}

/** A short filter value from the query, or undefined. */
export function filterValue(value: unknown, max = 200): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= max ? value : undefined;
}
