import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

interface Definition {
  name: string;
  examples: Array<Record<string, unknown>>;
}

const require = createRequire(import.meta.url);
let cache: Definition[] | undefined;

function definitions(): Definition[] {
  cache ??= JSON.parse(readFileSync(require.resolve("@octokit/webhooks-examples/api.github.com/index.json"), "utf8")) as Definition[];
  return cache;
}

/** Every real example body GitHub documents for an event (from @octokit/webhooks-examples). */
export function examplesOf(event: string): Array<Record<string, unknown>> {
  const def = definitions().find((d) => d.name === event);
  if (!def) throw new Error(`no examples for ${event}`);
  return structuredClone(def.examples);
}

/** The first example of an event matching a predicate. */
export function exampleOf(event: string, match: (e: Record<string, unknown>) => boolean = () => true): Record<string, unknown> {
  const found = examplesOf(event).find(match);
  if (!found) throw new Error(`no matching ${event} example`);
  return found;
}

/** A real push to refs/heads/master, optionally re-pointed at another branch/sha. */
export function pushExample(overrides: { ref?: string; after?: string; message?: string } = {}): Record<string, unknown> {
  const body = exampleOf("push", (e) => String(e.ref).startsWith("refs/heads/"));
  if (overrides.ref) body.ref = overrides.ref;
  if (overrides.after) {
    body.after = overrides.after;
    (body.head_commit as Record<string, unknown>).id = overrides.after;
  }
  if (overrides.message) (body.head_commit as Record<string, unknown>).message = overrides.message;
  return body;
}
