import type { Config } from "../config/config.js";
import { loadConfig } from "../config/load-config.js";
import { demoSecret, resolveConfigPath } from "../config/resolve-config-path.js";

/** The config the CLI works with (the demo config, with its secret, when none is given or found). */
export function readConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): { config: Config; path: string; demo: boolean; secret?: ReturnType<typeof demoSecret> } {
  const { path, demo } = resolveConfigPath(file, env);
  if (!demo) return { config: loadConfig(path, env), path, demo };
  const secret = demoSecret(env);
  return { config: loadConfig(path, { ...env, BUILDGATE_DEMO_SECRET: secret.secret }), path, demo, secret };
}

export function describeRoutes(config: Config): string {
  if (config.routes.length === 0) return "  (no routes: deliveries are stored and ignored)";
  return config.routes
    .map((r) => {
      const filters = [
        r.branches && `branches ${r.branches.join(", ")}`,
        r.tags && `tags ${r.tags.join(", ")}`,
        r.headBranches && `headBranches ${r.headBranches.join(", ")}`,
        r.paths && `paths ${r.paths.join(", ")}`,
        r.ignorePaths && `ignorePaths ${r.ignorePaths.join(", ")}`,
        r.drafts && "drafts",
      ].filter(Boolean);
      const builder = r.builder === "local" ? `local runner (${r.project})` : `CodeBuild ${r.project}`;
      return `  ${r.name}: ${r.source.provider}:${r.source.repository} on [${r.on.join(", ")}] → ${builder} (status "${r.context}")${filters.length ? `\n      ${filters.join("; ")}` : ""}`;
    })
    .join("\n");
}
