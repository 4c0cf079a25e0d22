import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** A buildspec the local runner cannot run: bad YAML, a version other than 0.2, an unsupported key. */
export class BuildspecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BuildspecError";
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const varName = z
  .string()
  .regex(NAME, "must be a shell variable name (letters, digits, _)")
  .refine((n) => !n.startsWith("CODEBUILD_"), "names starting with CODEBUILD_ are reserved");
// YAML turns `PORT: 8080` into a number and `DEBUG: true` into a boolean; CodeBuild reads them as text.
const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const commands = z
  .array(z.string({ error: "each command must be a string (quote commands that contain ': ')" }))
  .nullish()
  .transform((c) => c ?? []);
const stringOrList = z.union([z.string(), z.array(z.string())]).transform((v) => (typeof v === "string" ? [v] : v));
// CodeBuild writes yes/no; YAML 1.1 tools turn them into booleans.
const yesNo = z.union([z.boolean(), z.enum(["yes", "no"])]).transform((v) => v === true || v === "yes");
const ignored = z.unknown().optional();
const unsupported = (why: string) => z.unknown().refine(() => false, why).optional();

const Phase = z.strictObject({
  "on-failure": z.enum(["ABORT", "CONTINUE"], { error: "on-failure must be ABORT or CONTINUE (the local runner has no RETRY)" }).default("ABORT"),
  commands,
  finally: commands,
  "runtime-versions": ignored,
  "run-as": ignored,
});

const Env = z.strictObject({
  variables: z.record(varName, scalar).default({}),
  "exported-variables": z.array(varName).default([]),
  shell: ignored,
  "git-credential-helper": ignored,
  "parameter-store": unsupported("Parameter Store is not available to the local runner: put the value in env.variables or the route's env"),
  "secrets-manager": unsupported("Secrets Manager is not available to the local runner: put the value in env.variables or the route's env"),
});

const Artifacts = z.strictObject({
  files: stringOrList,
  "base-directory": z.string().min(1).default("."),
  "discard-paths": yesNo.default(false),
  "exclude-paths": stringOrList.default([]),
  name: ignored,
  "enable-symlinks": ignored,
  "s3-prefix": ignored,
  "secondary-artifacts": ignored,
});

const Spec = z.strictObject({
  version: z.unknown(),
  env: Env.prefault({}),
  phases: z
    .strictObject({ install: Phase.optional(), pre_build: Phase.optional(), build: Phase.optional(), post_build: Phase.optional() })
    .default({}),
  artifacts: Artifacts.optional(),
  "run-as": ignored,
  proxy: ignored,
  reports: ignored,
  cache: ignored,
  batch: unsupported("batch builds are not supported by the local runner"),
});

export type BuildspecPhase = z.output<typeof Phase>;
export type ArtifactsSpec = z.output<typeof Artifacts>;
/** A parsed version 0.2 buildspec: only what the local runner acts on, with defaults filled in. */
export type Buildspec = Readonly<z.output<typeof Spec>> & {
  /** Keys that CodeBuild honours and the local runner ignores (logged at the start of the build). */
  readonly ignored: readonly string[];
};

function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".") || "(root)";
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      if (i.code === "unrecognized_keys") return `${formatPath(i.path)}: unknown key(s) ${i.keys.map((k) => `'${k}'`).join(", ")}`;
      if (i.code === "invalid_key" && i.issues.length > 0) return `${formatPath(i.path)}: ${i.issues.map((x) => x.message).join("; ")}`;
      return `${formatPath(i.path)}: ${i.message}`;
    })
    .join("; ");
}

/**
 * Version 0.2 only: 0.1 runs every command in its own shell, so `cd` and `export` would not carry
 * over, and a build that passes here would behave differently on CodeBuild.
 */
function checkVersion(version: unknown): void {
  if (version === undefined || version === null) throw new BuildspecError("buildspec has no version: the local runner runs buildspec version 0.2");
  if (String(version) !== "0.2") {
    throw new BuildspecError(`buildspec version ${String(version)} is not supported: the local runner runs buildspec version 0.2 only`);
  }
}

/** Parses buildspec YAML; throws a BuildspecError that names the key and what is wrong. */
export function parseBuildspec(text: string): Buildspec {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new BuildspecError(`buildspec is not valid YAML: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new BuildspecError("buildspec must be a YAML mapping");
  checkVersion((raw as Record<string, unknown>).version);
  const parsed = Spec.safeParse(raw);
  if (!parsed.success) throw new BuildspecError(`buildspec is invalid: ${describe(parsed.error)}`);
  return { ...parsed.data, ignored: findIgnored(raw as Record<string, unknown>) };
}

/** Keys CodeBuild honours that the local runner accepts and ignores, so the log can say so. */
function findIgnored(raw: Record<string, unknown>): string[] {
  const found = ["run-as", "proxy", "reports", "cache"].filter((k) => raw[k] !== undefined);
  const env = (raw.env ?? {}) as Record<string, unknown>;
  found.push(...["shell", "git-credential-helper"].filter((k) => env[k] !== undefined).map((k) => `env.${k}`));
  for (const [name, phase] of Object.entries((raw.phases ?? {}) as Record<string, Record<string, unknown> | null>)) {
    found.push(...["runtime-versions", "run-as"].filter((k) => phase?.[k] !== undefined).map((k) => `phases.${name}.${k}`));
  }
  return found;
}
