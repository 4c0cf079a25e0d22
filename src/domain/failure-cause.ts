import { failedPhase, type PhaseContext, type PhaseRecord } from "./build-snapshot.js";
import type { BuildState } from "./build-state.js";

/** Why a build failed, as far as its phases tell: where, which command (when named), and a short reason. */
export interface FailureCause {
  readonly phase: string;
  /** The buildspec command that failed, on one line; repository text, so escape it wherever it goes. */
  readonly command: string | null;
  /** `exit status 1`, `timed out`, or the phase context's message; null when the phase gave none. */
  readonly reason: string | null;
}

const FAILING: ReadonlySet<BuildState> = new Set(["failed", "timed_out", "errored"]);

// CodeBuild's wording (the local runner writes the same). The command can hold dots, quotes and
// even ". Reason: " itself, so the greedy match takes the last one as the end of the command.
const COMMAND_ERROR = /^Error while executing command: ([\s\S]+)\. Reason: ([\s\S]+)$/;

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

/** The first context that says something (CodeBuild pads phases with `{statusCode: "", message: ""}`). */
const contextOf = (phase: PhaseRecord): PhaseContext | undefined => phase.contexts?.find((c) => c.statusCode.trim() !== "" || c.message.trim() !== "");

/** The message without the status code in front, as the console and the log show it (`CLIENT_ERROR: …`, `YAML_FILE_ERROR Message: …`). */
function messageOf(c: PhaseContext): string {
  const message = oneLine(c.message);
  const code = c.statusCode.trim();
  if (code === "") return message;
  for (const prefix of [`${code}: `, `${code} Message: `]) if (message.startsWith(prefix)) return message.slice(prefix.length).trim();
  return message;
}

/** A build as failureCause reads it; `phases` is read only for a failing state (a getter may parse them then). */
export interface FailingBuild {
  readonly state: BuildState;
  readonly phases: readonly PhaseRecord[];
}

/**
 * The cause of a failed, timed-out or errored build: its first phase that did not succeed and
 * that phase's context. Null for any other state, and when no phase failed (phases unknown).
 */
export function failureCause(b: FailingBuild): FailureCause | null {
  if (!FAILING.has(b.state)) return null;
  const phase = failedPhase(b.phases);
  if (!phase) return null;
  const context = contextOf(phase);
  const timedOut = phase.status === "TIMED_OUT" || context?.statusCode === "BUILD_TIMED_OUT";
  const message = context ? messageOf(context) : "";
  const command = COMMAND_ERROR.exec(message);
  const reason = timedOut ? "timed out" : command ? oneLine(command[2] ?? "") : message || context?.statusCode.trim() || null;
  return { phase: phase.type, command: command ? oneLine(command[1] ?? "") : null, reason: reason || null };
}
