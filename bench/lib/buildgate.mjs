// buildgate's real server process (`node dist/cli.js serve`) with a temporary YAML config.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { REPOSITORY, SECRET } from "./payloads.mjs";
import { SERVER_CPU, startServer } from "./procs.mjs";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The build under test: the snapshot of dist/ that run.mjs takes at start (a rebuild during the
 * run must not change what is measured), else dist/ itself. BUILDGATE_BENCH_DIST names another
 * build (an A/B experiment).
 */
export const distDir = () => process.env.BUILDGATE_BENCH_DIST ?? join(ROOT, "dist");
const cli = () => join(distDir(), "cli.js");

const temps = new Set();

/** A temporary directory removed by `cleanup()` (or by `removeTempDirs()` when a run is interrupted). */
export function tempDir(tag) {
  const dir = mkdtempSync(join(tmpdir(), `buildgate-bench-${tag}-`));
  temps.add(dir);
  return {
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      temps.delete(dir);
    },
  };
}

export function removeTempDirs() {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
}

/**
 * The bench config: one route for the example repository (push and pull_request) so every
 * delivery is stored and routed; CodeBuild (and GitHub, when given) point at local fakes.
 */
export function benchConfig({ storeUrl, codebuildUrl, githubUrl, extra = {} }) {
  return {
    server: { port: 0, host: "127.0.0.1" },
    store: { url: storeUrl },
    github: { webhookSecrets: [SECRET], ...(githubUrl ? { apiUrl: githubUrl, auth: { token: "bench-token" } } : {}) },
    aws: { region: "us-east-1", endpoints: { codebuild: codebuildUrl } },
    routes: [{ name: "ci", source: { github: REPOSITORY }, on: ["push", "pull_request"], project: "hello-ci" }],
    ...extra,
  };
}

/** Writes `config` to `dir` and starts `buildgate serve` on the server core. */
export async function startBuildgate({ dir, config, cpu = SERVER_CPU, env = {}, name = "buildgate", nodeArgs = [], timeoutMs }) {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(config));
  return startServer({
    name,
    cpu,
    args: [...nodeArgs, cli(), "serve", "--config", file],
    env: { PORT: "0", LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info", AWS_ACCESS_KEY_ID: "AKIDBENCH", AWS_SECRET_ACCESS_KEY: "bench-secret", AWS_REGION: "us-east-1", ...env },
    ready: /"url":"(http:\/\/[^"]+)".*"msg":"buildgate listening"/,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
}
