// Child processes: servers pinned to a core, their memory, and load workers.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const TASKSET = "/usr/bin/taskset";
export const SERVER_CPU = "0";
export const LOAD_CPU = "1";
const canPin = existsSync(TASKSET);

// Every child still running, so an interrupted run leaves no server behind.
const live = new Set();
function track(proc) {
  live.add(proc);
  proc.once("exit", () => live.delete(proc));
  return proc;
}
/** Kills every child this harness started that is still running. */
export function killAll() {
  for (const proc of live) proc.kill("SIGKILL");
}

/**
 * A harness script's start: it runs itself again on the load core (the servers it starts go on
 * the other), passing signals on, unless it already is that run or taskset is missing; then it
 * makes an interrupt kill every child and call `cleanup` before exiting 130.
 */
export async function runOnLoadCore(scriptUrl, args, cleanup) {
  if (!process.env.BUILDGATE_BENCH_PINNED && canPin) {
    const child = spawn(TASKSET, ["-c", LOAD_CPU, process.execPath, fileURLToPath(scriptUrl), ...args], { stdio: "inherit", env: { ...process.env, BUILDGATE_BENCH_PINNED: "1" } });
    for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
    child.on("exit", (code) => process.exit(code ?? 130));
    await new Promise(() => {});
  }
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => {
      killAll();
      setTimeout(() => {
        cleanup();
        process.exit(130);
      }, 200);
    });
  }
}

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
  const proc = track(spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }));
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
      settle(proc.pid).then(() => resolve({
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
      }));
    };
    proc.stdout.on("data", check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${out.slice(-4000)}`));
    });
  });
}

/** CPU time a process has used, in ms (utime + stime from /proc/<pid>/stat). */
export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** Waits until a just-started server stops using CPU (start-up work done), at most `maxMs`. */
async function settle(pid, maxMs = 3000) {
  const deadline = Date.now() + maxMs;
  let last = cpuMs(pid);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const now = cpuMs(pid);
    if (!(now - last > 5)) return;
    last = now;
  }
}

/** CPU time used by every process whose command name is `comm` (e.g. "postgres"), in ms. */
export function cpuMsOf(comm) {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) === comm) total += cpuMs(pid);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Measures the CPU share (in % of one core) `fn` leaves on the processes `probes` name. */
export async function withCpu(probes, fn) {
  const before = probes.map((p) => p());
  const t = Date.now();
  const result = await fn();
  const wall = Date.now() - t;
  return { result, cpu: probes.map((p, i) => (100 * (p() - before[i])) / wall) };
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
  const proc = track(spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] }));
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
        resolve(JSON.parse(last, (_k, v) => (v === "Infinity" ? Infinity : v)));
      } catch {
        reject(new Error(`${script} printed no JSON result:\n${out.slice(-2000)}${err.slice(-2000)}`));
      }
    });
  });
}

/** Prints a worker's result line (JSON, Infinity kept: a request that never answered) and exits. */
export function printJson(value) {
  // Exit at once: requests given up on may still hold the event loop open.
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (v === Infinity ? "Infinity" : v))}\n`, () => process.exit(0));
}

/** Reads all of stdin (a worker's JSON input). */
export async function readStdinJson() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}
