import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { killGroup, signalStatus } from "./run-process.js";
import { SentinelSplitter, type ShellEvent } from "./sentinel-splitter.js";

// High enough to stay clear of the fds scripts pick by hand (flock's 9) and of bash's `{var}>` (10 and up, rarely this far).
const MARKER_FD = 19;

/** Single-quotes a string for bash, so that nothing in it is expanded. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export class ShellKilledError extends Error {
  constructor() {
    super("the build shell was killed");
    this.name = "ShellKilledError";
  }
}

export interface ShellSessionOptions {
  /** A bash (the control lines use `builtin`, `export -p`, `declare -f`). */
  readonly shell: string;
  /** Where the first shell starts: CODEBUILD_SRC_DIR. */
  readonly cwd: string;
  /** The complete environment: the shell inherits nothing else. */
  readonly env: Readonly<Record<string, string>>;
  /** Command files and the saved shell state; outside the source tree. */
  readonly controlDir: string;
  /** stdout and stderr of every command, interleaved as the shell wrote them. */
  readonly onOutput: (chunk: Buffer) => void;
  /** The shell ended by itself (a command ran `exit`, or `set -e` tripped). */
  readonly onShellExit?: (status: number) => void;
}

interface Pending {
  readonly seq: number;
  readonly resolve: (status: number) => void;
  readonly reject: (err: Error) => void;
}

/**
 * One long-lived bash for the whole build, as buildspec 0.2 wants: `cd`, variables (exported or
 * not) and functions carry over from command to command and phase to phase.
 *
 * The runner writes each command to a file and sends the shell one control line on stdin:
 * `builtin source FILE </dev/null; printf MARKER…` — sourcing keeps the state in this shell, a
 * syntax error in the command only fails that command (the stream of control lines stays in
 * sync), and `</dev/null` keeps commands from reading the control lines. The marker line reports
 * the exit status on stdout, behind the command's own output (see SentinelSplitter).
 *
 * A command that ends the shell (`exit 1`, or a failure under `set -e`) fails with that status; the
 * shell's EXIT trap saves the exported variables, functions and working directory, and the next
 * command runs in a new shell that restores them (non-exported variables and `set` options are lost).
 */
export class ShellSession {
  private readonly marker = `__buildgate_${randomBytes(12).toString("hex")}__:`;
  private child?: ChildProcessWithoutNullStreams;
  private closed?: Promise<void>;
  private splitter = new SentinelSplitter(this.marker);
  private pending?: Pending;
  private seq = 0;
  private killed = false;
  private ending = false;

  constructor(private readonly o: ShellSessionOptions) {}

  /** Runs one buildspec command; resolves its exit status. Rejects with ShellKilledError after kill(). */
  run(command: string): Promise<number> {
    return this.exec(command, false);
  }

  /** Runs the runner's own shell code in the build's shell, hidden from `set -x` traces. */
  internal(code: string): Promise<number> {
    // Ends in `:` so that a false test on the last line cannot trip the build's `set -e`.
    return this.exec(`${code}\nbuiltin :`, true);
  }

  /** Kills the shell and everything it started; a running command rejects with ShellKilledError. */
  kill(): void {
    this.killed = true;
    killGroup(this.child?.pid);
  }

  /** Ends the session at the end of the build: kills leftover background processes too. */
  async close(): Promise<void> {
    this.ending = true;
    killGroup(this.child?.pid);
    await this.closed;
  }

  private exec(text: string, internal: boolean): Promise<number> {
    if (this.killed || this.ending) return Promise.reject(new ShellKilledError());
    const child = this.child ?? this.start();
    const seq = ++this.seq;
    const file = join(this.o.controlDir, `${internal ? "internal" : "command"}-${seq}.sh`);
    writeFileSync(file, `${text}\n`);
    // The marker goes to fd 19, a copy of the original stdout: a command that redirects the
    // shell's stdout for good (`exec >file`) cannot swallow it. Commands run with fd 19 closed.
    const done = `builtin printf '${this.marker}%s:%s\\n' ${seq} "$?" >&${MARKER_FD}`;
    const source = `builtin source ${shellQuote(file)} </dev/null ${MARKER_FD}>&-`;
    const line = internal ? `{ ${source}; ${done}; } 2>/dev/null\n` : `${source}; { ${done}; } 2>/dev/null\n`;
    return new Promise((resolve, reject) => {
      this.pending = { seq, resolve, reject };
      child.stdin.write(line);
    });
  }

  private start(): ChildProcessWithoutNullStreams {
    const restore = this.takeSavedState();
    const child = spawn(this.o.shell, ["--noprofile", "--norc"], { cwd: this.o.cwd, env: { ...this.o.env }, detached: true, stdio: "pipe" });
    this.child = child;
    this.splitter = new SentinelSplitter(this.marker);
    this.closed = new Promise((resolve) => {
      child.on("close", (code, sig) => resolve(this.onClose(child, code ?? signalStatus(sig))));
      // The shell could not start (a wrong `shell` option): the running command fails, the build FAULTs.
      child.on("error", (err) => {
        if (this.child === child) this.child = undefined;
        resolve(this.settle(undefined, err));
      });
    });
    // Background jobs of a shell that ended would keep the pipes (and 'close') open.
    child.on("exit", () => killGroup(child.pid));
    child.stdin.on("error", () => undefined); // EPIPE after the shell ended: 'close' reports it.
    child.stdout.on("data", (c: Buffer) => this.onEvents(this.splitter.push(c)));
    child.stderr.on("data", (c: Buffer) => this.o.onOutput(c)); // only until `exec 2>&1`
    child.stdin.write(this.bootstrap(restore));
    return child;
  }

  /** stderr joins stdout (one ordered stream), fd 19 keeps a copy for the markers; the EXIT trap saves what a new shell restores. */
  private bootstrap(restore: string | undefined): string {
    const save = `{ builtin export -p; builtin declare -f; builtin printf 'builtin cd -- %q\\n' "$PWD"; } >${shellQuote(this.statePath())} 2>/dev/null`;
    const lines = [`exec ${MARKER_FD}>&1 2>&1`, `trap ${shellQuote(save)} EXIT`];
    if (restore) lines.push(`builtin source ${shellQuote(restore)} >/dev/null 2>&1`);
    return `${lines.join("\n")}\n`;
  }

  private statePath(): string {
    return join(this.o.controlDir, "shell-state.sh");
  }

  /** Moves the state the last shell saved out of the way, so that a stale one is never restored twice. */
  private takeSavedState(): string | undefined {
    if (!existsSync(this.statePath())) return undefined;
    const restore = join(this.o.controlDir, `restore-${this.seq}.sh`);
    renameSync(this.statePath(), restore);
    return restore;
  }

  private onEvents(events: readonly ShellEvent[]): void {
    for (const e of events) {
      if (e.kind === "output") this.o.onOutput(e.data);
      else if (this.pending?.seq === e.seq) this.settle(e.exitCode);
    }
  }

  private onClose(child: ChildProcessWithoutNullStreams, status: number): void {
    this.onEvents(this.splitter.flush());
    if (this.child === child) this.child = undefined;
    if (this.killed || this.ending) return this.settle(undefined, new ShellKilledError());
    if (this.pending) this.o.onShellExit?.(status);
    this.settle(status);
  }

  private settle(status: number | undefined, err?: Error): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    if (err) p.reject(err);
    else p.resolve(status ?? 1);
  }
}
