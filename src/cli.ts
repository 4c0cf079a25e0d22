#!/usr/bin/env node
import { parseArgs } from "node:util";
import { ConfigError } from "./config/config-error.js";
import type { Config } from "./config/config.js";
import { loadConfig } from "./config/load-config.js";
import { demoSecret, resolveConfigPath } from "./config/resolve-config-path.js";
import { createLogger } from "./logger.js";
import { startBuildgate } from "./main.js";
import { explainDelivery, formatExplained } from "./pipeline/explain-delivery.js";
import { openStore } from "./store/open-store.js";
import { hashPassword } from "./web/auth/password.js";

const USAGE = `usage: buildgate <command> [options]

commands:
  serve                       run the gateway (default)
  check-config [file]         validate a config file and print the routes it understood
  explain <delivery-id>       print the route decisions recorded for a delivery (--json for JSON)
  migrate                     bring the store's schema up to date and exit
  hash-password               read a password on stdin, print its hash for board.auth.local.users

options:
  --config <file>             config file (default: $BUILDGATE_CONFIG, config/buildgate.yaml, else the demo config)
  --json                      machine-readable output (explain)
`;

function readConfig(file: string | undefined, env: NodeJS.ProcessEnv): { config: Config; path: string; demo: boolean } {
  const { path, demo } = resolveConfigPath(file, env);
  const configEnv = demo ? { ...env, BUILDGATE_DEMO_SECRET: demoSecret(env).secret } : env;
  return { config: loadConfig(path, configEnv), path, demo };
}

function describeRoutes(config: Config): string {
  if (config.routes.length === 0) return "  (no routes: deliveries are stored and ignored)";
  return config.routes
    .map((r) => {
      const filters = [
        r.branches && `branches ${r.branches.join(", ")}`,
        r.tags && `tags ${r.tags.join(", ")}`,
        r.headBranches && `headBranches ${r.headBranches.join(", ")}`,
        r.paths && `paths ${r.paths.join(", ")}`,
        r.ignorePaths && `ignorePaths ${r.ignorePaths.join(", ")}`,
        r.drafts && "drafts",
      ].filter(Boolean);
      return `  ${r.name}: ${r.source.provider}:${r.source.repository} on [${r.on.join(", ")}] → CodeBuild ${r.project} (status "${r.context}")${filters.length ? `\n      ${filters.join("; ")}` : ""}`;
    })
    .join("\n");
}

async function serve(file: string | undefined): Promise<void> {
  const log = createLogger();
  const { config, path, demo } = readConfig(file, process.env);
  if (demo) {
    const { generated, file: secretFile } = demoSecret(process.env);
    log.warn({ config: path }, "DEMO MODE: no config/buildgate.yaml and no BUILDGATE_CONFIG; using the shipped demo config");
    if (generated) process.stdout.write(`\nbuildgate demo webhook secret (kept in ${secretFile}): ${demoSecret(process.env).secret}\n\n`);
  }
  const gate = await startBuildgate({ config, log });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    void gate.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("password (then Enter, Ctrl-D): ");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  const [command = "serve", arg] = positionals;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  switch (command) {
    case "serve":
      await serve(values.config);
      return -1;
    case "check-config": {
      const { config, path } = readConfig(arg ?? values.config, process.env);
      process.stdout.write(`${path}: OK\n${config.routes.length} route(s):\n${describeRoutes(config)}\n`);
      return 0;
    }
    case "explain": {
      if (!arg) throw new ConfigError(["explain needs a delivery id"]);
      const { config } = readConfig(values.config, process.env);
      const store = await openStore({ url: config.store.url, maxAttempts: config.jobs.maxAttempts });
      try {
        const explained = await explainDelivery(store, arg);
        if (explained.length === 0) {
          process.stderr.write(`no delivery with id ${arg}\n`);
          return 1;
        }
        process.stdout.write(values.json ? `${JSON.stringify(explained, null, 2)}\n` : `${formatExplained(explained)}\n`);
        return 0;
      } finally {
        await store.close();
      }
    }
    case "hash-password": {
      const password = (await readStdin()).replace(/\r?\n$/, "");
      if (password.length < 12) {
        process.stderr.write("buildgate: use a password of at least 12 characters\n");
        return 2;
      }
      process.stdout.write(`${await hashPassword(password)}\n`);
      return 0;
    }
    case "migrate": {
      const { config } = readConfig(values.config, process.env);
      const store = await openStore({ url: config.store.url, maxAttempts: config.jobs.maxAttempts });
      await store.close();
      process.stdout.write("store schema is up to date\n");
      return 0;
    }
    default:
      process.stderr.write(`unknown command ${command}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`buildgate: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`buildgate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
