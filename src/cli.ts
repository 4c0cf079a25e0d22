#!/usr/bin/env node
import { parseArgs } from "node:util";
import { EXIT } from "./cli/command.js";
import { COMMANDS } from "./cli/commands.js";
import { ConfigError } from "./config/config-error.js";

const USAGE = `usage: buildgate <command> [options]   (buildgate <command> --help for each)

${COMMANDS.map((c) => `  ${c.name.padEnd(15)} ${c.summary}`).join("\n")}

exit codes: 0 success, 1 failure, 2 usage or configuration error
`;

async function main(argv: string[]): Promise<number | "running"> {
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h" || first === "help") {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const name = first === undefined || first.startsWith("-") ? "serve" : first;
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`unknown command ${name}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const args = first === undefined || first.startsWith("-") ? argv : rest;
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { ...command.options, help: { type: "boolean", short: "h" } } });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\nusage: ${command.usage}\n`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    process.stdout.write(`usage: ${command.usage}\n`);
    return EXIT.ok;
  }
  return command.run({ values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals });
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== "running") process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`buildgate: ${err.message}\n`);
      process.exit(EXIT.usage);
    }
    process.stderr.write(`buildgate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EXIT.failed);
  },
);
