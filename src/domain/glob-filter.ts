import picomatch from "picomatch";

/**
 * Compiles a GitHub-Actions-style pattern list: patterns apply in order, a leading `!`
 * excludes, a later positive pattern re-includes. A list of only exclusions matches
 * everything else. `*` stops at `/`, `**` crosses it.
 */
export function compileGlobFilter(patterns: readonly string[]): (value: string) => boolean {
  const compiled = patterns.map((p) => {
    const negated = p.startsWith("!");
    return { negated, test: picomatch(negated ? p.slice(1) : p, { dot: true }) };
  });
  const startMatched = compiled.every((c) => c.negated);
  return (value) => {
    let matched = startMatched;
    for (const c of compiled) {
      if (c.test(value)) matched = !c.negated;
    }
    return matched;
  };
}

/** Renders a pattern list for reasons: `[main, release/*]`. */
export function describePatterns(patterns: readonly string[]): string {
  return `[${patterns.join(", ")}]`;
}
