import { readFile } from "node:fs/promises";
import type { BuildLog } from "./build-log.js";
import type { PhaseContext, PhaseType } from "./build-record.js";
import type { Buildspec, BuildspecPhase } from "./buildspec.js";
import type { PhaseTracker } from "./phase-tracker.js";
import { shellQuote, type ShellSession } from "./shell-session.js";

const SHELL_PHASES = [
  ["install", "INSTALL"],
  ["pre_build", "PRE_BUILD"],
  ["build", "BUILD"],
  ["post_build", "POST_BUILD"],
] as const satisfies ReadonlyArray<readonly [keyof Buildspec["phases"], PhaseType]>;

export interface PhaseRunContext {
  readonly shell: ShellSession;
  readonly log: BuildLog;
  readonly tracker: PhaseTracker;
}

interface Failure {
  readonly command: string;
  readonly status: number;
}

/**
 * Runs install, pre_build, build and post_build with CodeBuild's transitions. A failed command
 * ends its phase's `commands` (the `finally` block still runs) and fails the phase. Then, with
 * `on-failure: ABORT` (the default), a failed INSTALL or PRE_BUILD skips every later command
 * phase, while a failed BUILD still runs POST_BUILD; `on-failure: CONTINUE` goes on to the next
 * phase as if nothing failed (the build still ends FAILED). Skipped phases are not recorded, as
 * on CodeBuild. Resolves whether every command succeeded.
 */
export async function runShellPhases(spec: Buildspec, ctx: PhaseRunContext): Promise<boolean> {
  let succeeding = true;
  const onFailure = async () => {
    if (!succeeding) return;
    succeeding = false;
    // post_build and finally blocks read it to tell a failed build from a good one.
    await ctx.shell.internal("builtin export CODEBUILD_BUILD_SUCCEEDING=0");
  };
  for (const [key, type] of SHELL_PHASES) {
    const phase = spec.phases[key];
    const failed = await runPhase(type, phase, ctx, onFailure);
    if (failed && (phase?.["on-failure"] ?? "ABORT") === "ABORT" && type !== "BUILD") break;
  }
  return succeeding;
}

/** One phase: its commands up to the first failure, then its finally block. Resolves whether it failed. */
async function runPhase(type: PhaseType, phase: BuildspecPhase | undefined, ctx: PhaseRunContext, onFailure: () => Promise<void>): Promise<boolean> {
  ctx.tracker.enter(type);
  const failed = await runCommands(phase?.commands ?? [], ctx, onFailure);
  // finally runs even after a failed command; its own failure does not hide the first one.
  const finallyFailed = await runCommands(phase?.finally ?? [], ctx, onFailure);
  const failure = failed ?? finallyFailed;
  ctx.tracker.end(failure ? "FAILED" : "SUCCEEDED", failure ? commandError(failure) : undefined);
  return failure !== undefined;
}

async function runCommands(commands: readonly string[], ctx: PhaseRunContext, onFailure: () => Promise<void>): Promise<Failure | undefined> {
  for (const command of commands) {
    // A YAML block scalar (`- |`) ends in a newline the header does not need.
    const shown = command.trimEnd();
    ctx.log.line(`Running command ${shown}`);
    const status = await ctx.shell.run(command);
    if (status === 0) continue;
    ctx.log.line(`Command did not exit successfully ${shown} exit status ${status}`);
    await onFailure();
    return { command: shown, status };
  }
  return undefined;
}

/** CodeBuild's wording, so that people who know its logs recognise it. */
function commandError(f: Failure): PhaseContext {
  return { statusCode: "COMMAND_EXECUTION_ERROR", message: `Error while executing command: ${f.command}. Reason: exit status ${f.status}` };
}

/**
 * Reads `env.exported-variables` from the build's shell once the command phases are over (CodeBuild
 * freezes them when post_build ends). Unset variables are left out. Names are checked by the
 * buildspec schema, so they are safe to put in the shell code; values travel NUL-separated, so
 * any value (newlines included) survives.
 */
export async function readExportedVariables(shell: ShellSession, names: readonly string[], file: string): Promise<Record<string, string>> {
  if (names.length === 0) return {};
  const lines = names.map((n) => `[[ -v ${n} ]] && builtin printf '%s\\0%s\\0' ${n} "\${${n}}"`);
  await shell.internal(`{\n${lines.join("\n")}\n} >${shellQuote(file)}`);
  const parts = (await readFile(file, "utf8")).split("\0");
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) out[parts[i] as string] = parts[i + 1] as string;
  return out;
}
