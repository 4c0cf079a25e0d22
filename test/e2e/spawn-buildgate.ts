import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const CLI = join(process.cwd(), "dist", "cli.js");

export interface RunningBuildgate {
  readonly url: string;
  readonly proc: ChildProcess;
  readonly output: () => string;
  /** kill -9: no cleanup, no drain. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

export function requireBuiltCli(): string {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  return CLI;
}

const exited = (proc: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve(proc.exitCode);
    else proc.once("exit", (code) => resolve(code));
  });

/** Runs `buildgate serve` as a real process on a free port; resolves once it listens. */
export async function spawnBuildgate(configPath: string | undefined, env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<RunningBuildgate> {
  const proc = spawn(process.execPath, [requireBuiltCli(), "serve", ...(configPath ? ["--config", configPath] : [])], {
    env: { PATH: process.env.PATH, PORT: "0", LOG_LEVEL: "info", AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret-test", AWS_REGION: "us-east-1", ...env },
    ...(cwd ? { cwd } : {}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`buildgate did not start:\n${out}`)), 15_000);
    const check = () => {
      const m = /"url":"(http:\/\/[^"]+)".*"msg":"buildgate listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    proc.stdout?.on("data", check);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`buildgate exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    proc,
    output: () => out,
    async kill9() {
      proc.kill("SIGKILL");
      await exited(proc);
    },
    async stop() {
      proc.kill("SIGTERM");
      return exited(proc);
    },
  };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [requireBuiltCli(), ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"], ...(cwd ? { cwd } : {}) });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    proc.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
