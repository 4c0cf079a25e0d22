import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";

export interface ResolvedConfigPath {
  readonly path: string;
  /** True when no config was given or found and the shipped demo config is used. */
  readonly demo: boolean;
}

/** `--config`, else BUILDGATE_CONFIG, else config/buildgate.yaml if present, else the demo config. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv, cwd = process.cwd()): ResolvedConfigPath {
  const given = flag ?? env.BUILDGATE_CONFIG;
  if (given) return { path: given, demo: false };
  const standard = join(cwd, "config", "buildgate.yaml");
  if (existsSync(standard)) return { path: standard, demo: false };
  return { path: join(cwd, "config", "demo.yaml"), demo: true };
}

/**
 * The demo's webhook secret: BUILDGATE_DEMO_SECRET, else one generated on first start and
 * kept in data/demo-secret (mode 0600) so senders keep working across restarts.
 */
export function demoSecret(env: NodeJS.ProcessEnv, cwd = process.cwd()): { secret: string; generated: boolean; file?: string } {
  if (env.BUILDGATE_DEMO_SECRET) return { secret: env.BUILDGATE_DEMO_SECRET, generated: false };
  const file = join(cwd, "data", "demo-secret");
  if (existsSync(file)) return { secret: readFileSync(file, "utf8").trim(), generated: false, file };
  const secret = randomBytes(24).toString("hex");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { secret, generated: true, file };
}
