/** A parsed comment command, before anyone checked who wrote it. */
export type ParsedCommand = { readonly name: "retest" } | { readonly name: "ok-to-test" } | { readonly name: "test"; readonly route: string };

// Strict grammar: the whole comment is one command, optionally surrounded by whitespace.
// Nothing else in the comment reaches anything.
const COMMAND = /^\s*\/(retest|ok-to-test|test[ \t]+([A-Za-z0-9][A-Za-z0-9._-]{0,62}))\s*$/;

/** The command a pull request comment consists of, or undefined for any other comment. */
export function parseCommentCommand(body: string): ParsedCommand | undefined {
  const m = COMMAND.exec(body);
  if (!m) return undefined;
  if (m[1] === "retest") return { name: "retest" };
  if (m[1] === "ok-to-test") return { name: "ok-to-test" };
  return { name: "test", route: m[2] as string };
}
