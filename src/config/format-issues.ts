import type { z } from "zod";

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "");
}

/** Turns zod issues into lines that name the key path and what is expected. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = formatPath(issue.path) || "(root)";
    if (issue.code === "unrecognized_keys") {
      const keys = issue.keys.map((k) => `'${k}'`).join(", ");
      return `${where}: unknown key${issue.keys.length > 1 ? "s" : ""} ${keys}`;
    }
    if (issue.code === "invalid_union") return `${where}: ${describeUnion(issue)}`;
    // zod reports a bad record key as "Invalid key in record"; the key schema's own message says why.
    if (issue.code === "invalid_key" && issue.issues.length > 0) return `${where}: ${issue.issues.map((i) => i.message).join("; ")}`;
    return `${where}: ${issue.message}`;
  });
}

function describeUnion(issue: z.core.$ZodIssueInvalidUnion): string {
  // A union with its own message says it best; otherwise report the alternative that got
  // furthest: the one with the fewest problems.
  if (issue.message !== "Invalid input") return issue.message;
  const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
  if (!best || best.length === 0) return issue.message;
  return best.map((i) => `${formatPath(i.path) ? formatPath(i.path) + ": " : ""}${i.code === "unrecognized_keys" ? `unknown key(s) ${i.keys.join(", ")}` : i.message}`).join("; ");
}
