import type { ParseArgsConfig } from "node:util";

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface CommandArgs {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: readonly string[];
}

/** One `buildgate` subcommand: its help text, its options, and what it does. Resolves to the exit code, or never (serve). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig["options"]>;
  run(args: CommandArgs): Promise<number | "running">;
}

export const CONFIG_OPTION = { config: { type: "string" } } as const;
export const CONFIG_HELP = "  --config FILE   config file (default: $BUILDGATE_CONFIG, else config/buildgate.yaml, else the demo config)";
