import { spawn } from "node:child_process";
import { constants } from "node:os";

/**
 * Kills a whole process group. Build processes are spawned `detached` (their own group) so that a
 * stop or a timeout also kills what they started (`npm test` → node → workers), not only the shell.
 */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: the group is already gone.
  }
}

export interface ProcessOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Aborting kills the process group; the promise then rejects with the signal's reason. */
  readonly signal: AbortSignal;
  /** stdout and stderr, as they arrive (for the build log). */
  readonly onOutput?: (chunk: Buffer) => void;
}

export interface ProcessResult {
  readonly exitCode: number;
  /** stdout, kept for small outputs such as `git rev-parse HEAD`. */
  readonly stdout: string;
}

/** Runs a helper process of the build (git, for now) in its own process group. */
export function runProcess(command: string, args: readonly string[], o: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    if (o.signal.aborted) return reject(o.signal.reason);
    const child = spawn(command, args, { cwd: o.cwd, env: { ...o.env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const onAbort = () => killGroup(child.pid);
    o.signal.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (c: Buffer) => {
      if (out.length < 64) out.push(c);
      o.onOutput?.(c);
    });
    child.stderr.on("data", (c: Buffer) => o.onOutput?.(c));
    child.on("error", (err) => {
      o.signal.removeEventListener("abort", onAbort);
      reject(err);
    });
    child.on("close", (code, sig) => {
      o.signal.removeEventListener("abort", onAbort);
      if (o.signal.aborted) return reject(o.signal.reason);
      resolve({ exitCode: code ?? signalStatus(sig), stdout: Buffer.concat(out).toString("utf8") });
    });
  });
}

/** 128 + N, as a shell reports a process killed by signal N. */
export function signalStatus(sig: NodeJS.Signals | null): number {
  return 128 + (sig ? constants.signals[sig] : 0);
}
