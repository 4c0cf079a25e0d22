import { ConfigError } from "./config-error.js";

const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function walk(value: unknown, env: NodeJS.ProcessEnv, path: string, problems: string[]): unknown {
  if (typeof value === "string") {
    return value.replace(PATTERN, (whole, name: string | undefined, fallback: string | undefined) => {
      if (whole === "$$") return "$";
      const found = env[name as string];
      if (found !== undefined && found !== "") return found;
      if (fallback !== undefined) return fallback;
      problems.push(`${path || "(root)"}: environment variable ${name} is not set`);
      return "";
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => walk(v, env, `${path}[${i}]`, problems));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, env, path ? `${path}.${k}` : k, problems)]));
  }
  return value;
}

/**
 * Replaces `${VAR}` (and `${VAR:-default}`) in every string value of a parsed YAML tree; `$$`
 * is a literal `$`. Done after YAML parsing so a secret can never change the document's shape.
 * Every variable that is not set (or empty, with no default) is reported, each with its key path.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv): unknown {
  const problems: string[] = [];
  const result = walk(value, env, "", problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return result;
}
