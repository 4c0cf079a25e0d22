import { createLogger } from "../logger.js";
import { startBuildgate } from "../main.js";
import { explainDelivery, formatExplained } from "../store/explain-delivery.js";
import { STORE_JOBS } from "../pipeline/job-kinds.js";
import { openStore } from "../store/open-store.js";
import { hashPassword } from "../web/auth/password.js";
import { CONFIG_HELP, CONFIG_OPTION, EXIT, type Command } from "./command.js";
import { describeRoutes, readConfig } from "./read-config.js";
import { sendTest, sendTestDefaults } from "./send-test.js";

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("password (then Enter, Ctrl-D): ");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

const serve: Command = {
  name: "serve",
  summary: "run the gateway (the default command)",
  usage: `buildgate serve [--config FILE]\n\n${CONFIG_HELP}\n\nStops on SIGTERM/SIGINT: refuses new webhooks (503) and fails /readyz, stops accepting, finishes
the jobs in flight (at most jobs.drainSeconds, then releases them to the queue), closes the store
and exits 0. A second signal, or jobs.drainSeconds + 5 s without finishing, exits 1.`,
  options: CONFIG_OPTION,
  async run({ values }) {
    const log = createLogger();
    const { config, path, demo, secret } = readConfig(str(values.config));
    if (demo) {
      log.warn({ config: path }, "DEMO MODE: no config/buildgate.yaml and no BUILDGATE_CONFIG, so the shipped demo config runs: SQLite in ./data, the local runner, statuses logged instead of posted");
      if (secret?.generated) out(`\nbuildgate demo webhook secret (kept in ${secret.file}): ${secret.secret}\n`);
    }
    const gate = await startBuildgate({ config, log, demo });
    if (demo) out(`\ndemo: open ${gate.url}/ and run \`npm run buildgate -- send-test push\` to start a build\n`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log.warn({ signal }, "second signal: exiting now");
        process.exit(EXIT.failed);
      }
      stopping = true;
      const boundMs = config.jobs.drainSeconds * 1000 + 5_000;
      log.info({ signal, boundMs }, "shutting down");
      setTimeout(() => {
        log.error({ boundMs }, "shutdown took too long: exiting");
        process.exit(EXIT.failed);
      }, boundMs).unref();
      gate.close().then(
        () => {
          log.info("shut down");
          process.exit(EXIT.ok);
        },
        (err: unknown) => {
          log.error({ err }, "shutdown failed");
          process.exit(EXIT.failed);
        },
      );
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
    return "running";
  },
};

const checkConfig: Command = {
  name: "check-config",
  summary: "validate a config file and print the routes it understood",
  usage: `buildgate check-config [FILE] [--config FILE]\n\nExit 0 when valid; 2 with every problem (each naming its key path) when not.`,
  options: CONFIG_OPTION,
  async run({ values, positionals }) {
    const { config, path } = readConfig(positionals[0] ?? str(values.config));
    out(`${path}: OK\n${config.routes.length} route(s):\n${describeRoutes(config)}`);
    return EXIT.ok;
  },
};

const explain: Command = {
  name: "explain",
  summary: "print the route decisions recorded for a delivery",
  usage: `buildgate explain DELIVERY_ID [--json] [--config FILE]\n\nExit 0 when found, 1 when no delivery has that id.`,
  options: { ...CONFIG_OPTION, json: { type: "boolean" } },
  async run({ values, positionals }) {
    const id = positionals[0];
    if (!id) {
      process.stderr.write("explain needs a delivery id\n");
      return EXIT.usage;
    }
    const { config } = readConfig(str(values.config));
    const store = await openStore({ url: config.store.url, maxAttempts: config.jobs.maxAttempts, jobs: STORE_JOBS });
    try {
      const explained = await explainDelivery(store, id);
      if (explained.length === 0) {
        process.stderr.write(`no delivery with id ${id}\n`);
        return EXIT.failed;
      }
      out(values.json ? JSON.stringify(explained, null, 2) : formatExplained(explained));
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};

const sendTestCommand: Command = {
  name: "send-test",
  summary: "sign a real example payload and post it to a running buildgate",
  usage: `buildgate send-test push|pull_request [--repo OWNER/NAME] [--branch BRANCH] [--files a,b] [--url URL] [--secret SECRET] [--config FILE]

Defaults come from the config: its server address, its first github.webhookSecrets, the
repository of its first GitHub route, branch main. Against another deployment give --url and
--secret. Exit 0 when the delivery was accepted (202) or already known (200), 1 otherwise.`,
  options: { ...CONFIG_OPTION, repo: { type: "string" }, branch: { type: "string" }, files: { type: "string" }, url: { type: "string" }, secret: { type: "string" }, "no-wait": { type: "boolean" } },
  async run({ values, positionals }) {
    const event = positionals[0];
    if (event !== "push" && event !== "pull_request") {
      process.stderr.write("send-test needs push or pull_request\n");
      return EXIT.usage;
    }
    const fromConfig = str(values.url) && str(values.secret) ? undefined : sendTestDefaults(readConfig(str(values.config)).config);
    const secret = str(values.secret) ?? fromConfig?.secret;
    if (!secret) {
      process.stderr.write("no webhook secret: pass --secret or configure github.webhookSecrets\n");
      return EXIT.usage;
    }
    return sendTest({
      event,
      url: str(values.url) ?? fromConfig?.url ?? "http://127.0.0.1:8080",
      secret,
      repo: str(values.repo) ?? fromConfig?.repo ?? "Codertocat/Hello-World",
      branch: str(values.branch) ?? "main",
      files: (str(values.files) ?? "README.md").split(",").map((f) => f.trim()).filter(Boolean),
      wait: values["no-wait"] !== true,
      out,
    });
  },
};

const hashPasswordCommand: Command = {
  name: "hash-password",
  summary: "read a password on stdin and print its hash for board.auth.local.users",
  usage: `echo 'a long passphrase' | buildgate hash-password\n\nPrints scrypt$N$r$p$salt$hash. Exit 2 for a password under 12 characters.`,
  options: {},
  async run() {
    const password = (await readStdin()).replace(/\r?\n$/, "");
    if (password.length < 12) {
      process.stderr.write("use a password of at least 12 characters\n");
      return EXIT.usage;
    }
    out(await hashPassword(password));
    return EXIT.ok;
  },
};

const migrate: Command = {
  name: "migrate",
  summary: "bring the store's schema up to date and exit",
  usage: `buildgate migrate [--config FILE]\n\n(serve also migrates when it starts.)`,
  options: CONFIG_OPTION,
  async run({ values }) {
    const { config } = readConfig(str(values.config));
    const store = await openStore({ url: config.store.url, maxAttempts: config.jobs.maxAttempts, jobs: STORE_JOBS });
    await store.close();
    out("store schema is up to date");
    return EXIT.ok;
  },
};

export const COMMANDS: readonly Command[] = [serve, checkConfig, explain, sendTestCommand, hashPasswordCommand, migrate];
