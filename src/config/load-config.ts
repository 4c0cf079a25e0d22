import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import type { RouteRule } from "../domain/route-rule.js";
import type { Config } from "./config.js";
import { ConfigError } from "./config-error.js";
import { formatIssues } from "./format-issues.js";
import { interpolateEnv } from "./interpolate-env.js";
import { ConfigSchema, type ParsedConfig } from "./schema.js";

/** Parses YAML text into the readonly Config, or throws a ConfigError listing every problem. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env): Config {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) throw new ConfigError(doc.errors.map((e) => `YAML: ${e.message.split("\n")[0]}`));
  const interpolated = interpolateEnv(doc.toJS() ?? {}, env);
  const result = ConfigSchema.safeParse(interpolated);
  if (!result.success) throw new ConfigError(formatIssues(result.error));
  return toConfig(result.data, env);
}

/** Reads and parses a config file. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError([`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return parseConfig(text, env);
}

function toRoute(r: ParsedConfig["routes"][number]): RouteRule {
  const source =
    "github" in r.source
      ? { provider: "github" as const, repository: r.source.github }
      : { provider: "codecommit" as const, repository: r.source.codecommit, ...(r.source.region ? { region: r.source.region } : {}), ...(r.source.account ? { account: r.source.account } : {}) };
  const cancel = r.cancelSuperseded;
  return {
    ...r,
    on: r.on as RouteRule["on"],
    source,
    context: r.context ?? `buildgate/${r.name}`,
    cancelSuperseded: { pullRequests: cancel === true || cancel === "pull_requests" || cancel === "all", branches: cancel === "branches" || cancel === "all" },
  };
}

function toConfig(parsed: ParsedConfig, env: NodeJS.ProcessEnv): Config {
  const port = env.PORT !== undefined && env.PORT !== "" ? Number(env.PORT) : parsed.server.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError([`PORT: must be a port number, got ${env.PORT}`]);
  return {
    ...parsed,
    server: { ...parsed.server, port, publicUrl: (parsed.server.publicUrl ?? `http://localhost:${port}`).replace(/\/+$/, "") },
    routes: parsed.routes.map(toRoute),
  };
}
