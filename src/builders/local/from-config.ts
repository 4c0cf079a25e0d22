import { resolve } from "node:path";
import type { Logger } from "pino";
import type { Config } from "../../config/config.js";
import { createLocalBuilder, type LocalBuilder } from "./local-builder.js";

/**
 * The local runner as configured: sources by repository (folders relative to the working
 * directory), and fork pull requests refused unless `local.allowForkPullRequests`: they are
 * arbitrary code, and the runner runs it on this host.
 */
export function localBuilderFromConfig(config: Config, log: Logger): LocalBuilder | undefined {
  const local = config.local;
  if (!local) return undefined;
  return createLocalBuilder({
    workDir: resolve(local.workDir),
    concurrency: local.concurrency,
    timeoutMs: local.timeoutMinutes * 60_000,
    maxLogBytes: local.maxLogBytes,
    sources: (req) => {
      const source = req.repository ? local.sources[req.repository] : undefined;
      return source && "path" in source ? { path: resolve(source.path) } : source;
    },
    refuse: (req) =>
      req.env.BUILDGATE_FROM_FORK === "true" && !local.allowForkPullRequests
        ? `the local runner does not build pull requests from forks (${req.env.BUILDGATE_HEAD_REPOSITORY ?? "unknown"}); set local.allowForkPullRequests to allow it`
        : undefined,
    logsUrl: (id) => `${config.server.publicUrl}/builds/logs/${encodeURIComponent(id)}`,
    log,
  });
}
