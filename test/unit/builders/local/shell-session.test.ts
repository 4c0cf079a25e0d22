import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ShellKilledError, ShellSession, shellQuote } from "../../../../src/builders/local/shell-session.js";
import { isAlive, waitUntil } from "./process-helpers.js";

// Real bash, real files: the one-shell semantics are the point of this module.
describe("ShellSession", () => {
  let dir: string;
  let out: Buffer[];
  let exits: number[];
  let sessions: ShellSession[];

  const open = (env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin" }) => {
    const control = join(dir, "control");
    mkdirSync(control, { recursive: true });
    mkdirSync(join(dir, "src"), { recursive: true });
    const s = new ShellSession({ shell: "/bin/bash", cwd: join(dir, "src"), env, controlDir: control, onOutput: (c) => out.push(c), onShellExit: (st) => exits.push(st) });
    sessions.push(s);
    return s;
  };
  const output = () => Buffer.concat(out).toString("utf8");

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bg-shell-"));
    out = [];
    exits = [];
    sessions = [];
  });
  afterEach(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps cd, exported and plain variables, and functions from one command to the next", async () => {
    const s = open();
    expect(await s.run("mkdir -p sub && cd sub")).toBe(0);
    expect(await s.run("export EXPORTED=yes; PLAIN=also; greet() { echo \"hi $1\"; }")).toBe(0);
    expect(await s.run('echo "$(basename "$PWD") $EXPORTED $PLAIN"; greet you; bash -c \'echo "child sees ${EXPORTED:-nothing} ${PLAIN:-nothing}"\'')).toBe(0);
    expect(output()).toBe("sub yes also\nhi you\nchild sees yes nothing\n");
  });

  it("reports each command's exit status, and output without a final newline stays intact", async () => {
    const s = open();
    expect(await s.run("printf 'no newline'")).toBe(0);
    expect(await s.run("exit_with() { return $1; }; exit_with 42")).toBe(42);
    expect(await s.run("false")).toBe(1);
    expect(output()).toBe("no newline");
  });

  it("runs multi-line commands (a YAML block) as one command, here-documents included", async () => {
    const s = open();
    const status = await s.run("for i in 1 2; do\n  echo \"line $i\"\ndone\ncat <<EOF\nheredoc $((1+1))\nEOF\nfalse");
    expect(status).toBe(1);
    expect(output()).toBe("line 1\nline 2\nheredoc 2\n");
  });

  it("interleaves stderr with stdout in the order they were written", async () => {
    const s = open();
    await s.run("echo one; echo two >&2; echo three");
    expect(output()).toBe("one\ntwo\nthree\n");
  });

  it("fails only the command with a syntax error; the next command runs normally", async () => {
    const s = open();
    expect(await s.run('echo "unterminated')).toBe(2);
    expect(await s.run("echo fine")).toBe(0);
    expect(output()).toMatch(/unexpected EOF[\s\S]*fine\n$/);
  });

  it("gives commands /dev/null as stdin, so they cannot eat the runner's control lines", async () => {
    const s = open();
    expect(await s.run("cat; read -r line")).toBe(1);
    expect(await s.run("echo still in sync")).toBe(0);
    expect(output()).toBe("still in sync\n");
  });

  it("survives a command that redirects the shell's stdout for good", async () => {
    const s = open();
    expect(await s.run("echo before; exec >/dev/null")).toBe(0);
    expect(await s.run("echo hidden")).toBe(0);
    expect(await s.run("exec >&2; echo stderr-is-the-log-too")).toBe(0);
    expect(output()).toBe("before\nstderr-is-the-log-too\n");
  });

  it("keeps its marker channel away from commands and their children", async () => {
    const s = open();
    expect(await s.run("echo fake >&19")).toBe(1);
    expect(await s.run("ls /proc/self/fd | grep -cx 19 || true")).toBe(0);
    expect(output()).toMatch(/Bad file descriptor\n0\n$/);
  });

  it("sees only the environment it was given", async () => {
    process.env.BUILDGATE_TEST_SECRET = "leaked";
    try {
      const s = open({ PATH: "/usr/bin:/bin", ONLY: "me" });
      await s.run("echo \"${BUILDGATE_TEST_SECRET:-absent} $ONLY\"; env | cut -d= -f1 | sort | tr '\\n' ' '");
    } finally {
      delete process.env.BUILDGATE_TEST_SECRET;
    }
    expect(output()).toMatch(/^absent me\n/);
    const names = output().split("\n")[1]?.trim().split(" ");
    expect(names).toEqual(expect.arrayContaining(["ONLY", "PATH"]));
    expect(names?.every((n) => ["ONLY", "PATH", "PWD", "SHLVL", "_", "OLDPWD"].includes(n))).toBe(true);
  });

  it("a command that runs `exit` fails with its status; later commands get a new shell with the exported state", async () => {
    const s = open();
    await s.run("mkdir -p deep && cd deep && export KEPT=1 && LOST=1 && fn() { echo fn-ok; }");
    expect(await s.run("exit 3")).toBe(3);
    expect(exits).toEqual([3]);
    expect(await s.run('echo "$(basename "$PWD") ${KEPT:-} ${LOST:-gone}"; fn')).toBe(0);
    expect(output()).toBe("deep 1 gone\nfn-ok\n");
  });

  it("`set -e` ends the command at its first failure, like a script", async () => {
    const s = open();
    expect(await s.run("set -e\nfalse\necho not-reached")).toBe(1);
    expect(await s.run("echo next")).toBe(0);
    expect(output()).toBe("next\n");
  });

  it("keeps the runner's internal commands out of a `set -x` trace", async () => {
    const s = open();
    await s.run("set -x");
    expect(await s.internal("builtin export FLAG=0")).toBe(0);
    await s.run("echo $FLAG");
    expect(output()).not.toContain("FLAG=0");
    expect(output()).toContain("+ echo 0\n0\n");
  });

  it("kill() rejects the running command and kills everything the shell started", async () => {
    const s = open();
    const pidFile = join(dir, "sleep.pid");
    const running = s.run(`sleep 30 & echo $! > ${shellQuote(pidFile)}; wait`);
    await waitUntil(() => readFileSync(pidFile, "utf8").trim() !== "");
    const pid = Number(readFileSync(pidFile, "utf8"));
    s.kill();
    await expect(running).rejects.toBeInstanceOf(ShellKilledError);
    await waitUntil(() => !isAlive(pid));
    await expect(s.run("echo after")).rejects.toBeInstanceOf(ShellKilledError);
  });

  it("close() ends background jobs left behind by the build", async () => {
    const s = open();
    const pidFile = join(dir, "bg.pid");
    expect(await s.run(`(sleep 30 >/dev/null 2>&1 &  echo $! > ${shellQuote(pidFile)})`)).toBe(0);
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(isAlive(pid)).toBe(true);
    await s.close();
    await waitUntil(() => !isAlive(pid));
  });
});
