// Child processes: servers pinned to a core, their memory, and load workers.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

export const TASKSET = "/usr/bin/taskset";
export const SERVER_CPU = "0";
export const LOAD_CPU = "1";
const canPin = existsSync(TASKSET);

/** argv that runs `node …args` on `cpu` (taskset), or unpinned when taskset is missing. */
export function pinned(cpu, args) {
  return canPin && cpu !== undefined ? [TASKSET, ["-c", cpu, process.execPath, ...args]] : [process.execPath, args];
}

/**
 * Starts a server process and resolves once a line of its stdout matches `ready` (the first
 * capture group is the URL). taskset execs node, so `pid` is the server's own pid.
 */
export function startServer({ args, cpu = SERVER_CPU, env = {}, ready, timeoutMs = 20_000, name }) {
  const [cmd, argv] = pinned(cpu, args);
  const proc = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (d) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout.on("data", keep);
  proc.stderr.on("data", keep);
  const exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`${name} did not start in ${timeoutMs} ms:\n${out.slice(-4000)}`));
    }, timeoutMs);
    const check = () => {
      const m = ready.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout.off("data", check);
      resolve({
        name,
        pid: proc.pid,
        url: m[1],
        output: () => out,
        memory: () => readMemory(proc.pid),
        async stop() {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
          const t = setTimeout(() => proc.kill("SIGKILL"), 10_000);
          await exited;
          clearTimeout(t);
        },
      });
    };
    proc.stdout.on("data", check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${out.slice(-4000)}`));
    });
  });
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
export function readMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
  } catch {
    return { rssMb: NaN, peakMb: NaN };
  }
}

/** Runs a node script to completion on `cpu`; resolves its last stdout line parsed as JSON. */
export function runJsonWorker(script, input, { cpu = LOAD_CPU, env = {}, timeoutMs = 300_000 } = {}) {
  const [cmd, argv] = pinned(cpu, [script]);
  const proc = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout.on("data", (d) => (out += d.toString()));
  proc.stderr.on("data", (d) => (err += d.toString()));
  proc.stdin.end(JSON.stringify(input));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`${script} exited with ${code}:\n${err.slice(-4000)}${out.slice(-2000)}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${script} printed no JSON result:\n${out.slice(-2000)}${err.slice(-2000)}`));
      }
    });
  });
}

/** Reads all of stdin (a worker's JSON input). */
export async function readStdinJson() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}
