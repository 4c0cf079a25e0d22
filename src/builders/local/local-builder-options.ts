import type { StartRequest } from "../../domain/builder.js";

/** Where a route's source comes from: a local folder (copied) or a git URL (cloned, then checked out at the commit). */
export type LocalSource = { readonly path: string } | { readonly git: string };

/** The slice of a pino logger the runner uses (for faults only: builds report through their log). */
export interface LocalRunnerLog {
  warn(obj: object, msg: string): void;
}

/**
 * How the local runner (builder `local`) runs builds. The gateway's config maps onto this; the
 * runner itself knows nothing of routes or trust beyond these callbacks.
 */
export interface LocalBuilderOptions {
  /** Root of every build's folder, `workDir/<project>-<uuid>/` with `src/`, `artifacts/`, `build.log`, `build.json`. */
  readonly workDir: string;
  /** The source of a request's route; undefined builds in an empty folder (the buildspec must then be inline). */
  readonly sources: (request: StartRequest) => LocalSource | undefined;
  /** The route's inline buildspec YAML; undefined reads `buildspec.yml` from the source. */
  readonly buildspec?: (request: StartRequest) => string | undefined;
  /** A reason to refuse the request (e.g. an untrusted pull request): start() then throws a non-retryable BuilderError. */
  readonly refuse?: (request: StartRequest) => string | undefined;
  /** Builds that run at once; the others wait in QUEUED. Default 2. */
  readonly concurrency?: number;
  /** Per build, from leaving the queue to the end; then the build is killed and TIMED_OUT. Default 60 minutes (CodeBuild's default). */
  readonly timeoutMs?: number;
  /** Command output kept in build.log; the rest is dropped after a marker line. Default 5 MiB. */
  readonly maxLogBytes?: number;
  /** A bash. Default /bin/bash. */
  readonly shell?: string;
  /** Epoch milliseconds, for phase times and log lines. Default Date.now. */
  readonly now?: () => number;
  /**
   * The only host variables a build sees, besides its declared ones. Default PATH, HOME and LANG
   * of the gateway: nothing else of the gateway's environment (its secrets) reaches a build.
   */
  readonly hostEnv?: Readonly<Record<string, string>>;
  /** The `logsUrl` of a build (e.g. the board's log page). Default none. */
  readonly logsUrl?: (buildId: string) => string | undefined;
  readonly log?: LocalRunnerLog;
}

export type ResolvedLocalOptions = Required<Omit<LocalBuilderOptions, "buildspec" | "refuse" | "logsUrl" | "log">> &
  Pick<LocalBuilderOptions, "buildspec" | "refuse" | "logsUrl" | "log">;

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** PATH, HOME and LANG of this process: enough to find tools, nothing that holds a secret. */
export function defaultHostEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = { PATH: env.PATH || DEFAULT_PATH };
  if (env.HOME) out.HOME = env.HOME;
  if (env.LANG) out.LANG = env.LANG;
  return out;
}

function positive(name: string, value: number, integer: boolean): number {
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`local builder: ${name} must be a positive ${integer ? "integer" : "number"}, got ${value}`);
  return value;
}

/** Fills the defaults; throws on nonsense (a programming or config error, found at startup). */
export function resolveLocalOptions(o: LocalBuilderOptions): ResolvedLocalOptions {
  if (!o.workDir) throw new Error("local builder: workDir is required");
  return {
    ...o,
    concurrency: positive("concurrency", o.concurrency ?? 2, true),
    timeoutMs: positive("timeoutMs", o.timeoutMs ?? 60 * 60_000, false),
    maxLogBytes: positive("maxLogBytes", o.maxLogBytes ?? 5 * 1024 * 1024, true),
    shell: o.shell ?? "/bin/bash",
    now: o.now ?? Date.now,
    hostEnv: o.hostEnv ?? defaultHostEnv(),
  };
}
