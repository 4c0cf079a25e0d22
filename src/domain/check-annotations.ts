import type { FailedTest } from "./check-run-output.js";

/** A line annotation on a check run (GitHub's `output.annotations[]`). */
export interface CheckAnnotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: "failure" | "warning" | "notice";
  readonly message: string;
  readonly title?: string;
}

/** GitHub takes at most 50 annotations per create or update request (more is a 422). */
export const ANNOTATIONS_PER_REQUEST = 50;
/** buildgate sends at most this many per check run: the rest are noise on the diff. */
export const MAX_ANNOTATIONS = 200;
const MAX_MESSAGE = 1000;

// `src/a.ts(12,5): error TS2322: …` (tsc without --pretty, MSBuild).
const PAREN = /^\s*([^\s():]+)\((\d+)(?:,\d+)?\):\s*(error|warning)\b:?\s*(.*)$/i;
// `src/a.ts:12:5 - error TS2322: …` (tsc --pretty), `src/a.c:12:5: error: …` (gcc, clang, go vet,
// eslint's unix format), `src/a.py:12: warning: …`.
const COLON = /^\s*([^\s:]+):(\d+)(?::\d+)?(?::|\s+-)\s*(error|warning|fatal error)\b:?\s*(.*)$/i;

/**
 * A path an annotation can point at: relative to the repository, without `..`, with a file
 * extension. `roots` (the builder's checkout directory, e.g. CODEBUILD_SRC_DIR) are stripped from
 * absolute paths; any other absolute path is not the repository's and gives no annotation.
 */
export function repositoryPath(raw: string, roots: readonly string[] = []): string | undefined {
  let path = raw.replace(/\\/g, "/");
  for (const root of roots) {
    const prefix = root.replace(/\\/g, "/").replace(/\/+$/, "") + "/";
    if (path.startsWith(prefix)) path = path.slice(prefix.length);
  }
  path = path.replace(/^(\.\/)+/, "");
  if (path === "" || path.startsWith("/") || /^[a-z]:\//i.test(path) || path.split("/").includes("..")) return undefined;
  if (!/\.[A-Za-z0-9]+$/.test(path)) return undefined;
  return path;
}

const message = (text: string) => {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > MAX_MESSAGE ? `${one.slice(0, MAX_MESSAGE - 1)}…` : one;
};

/** One compiler or linter line that names a file and a line, as an annotation; undefined for any other line. */
export function parseAnnotationLine(line: string, roots: readonly string[] = []): CheckAnnotation | undefined {
  const m = PAREN.exec(line) ?? COLON.exec(line);
  if (!m) return undefined;
  const path = repositoryPath(m[1] ?? "", roots);
  const n = Number(m[2]);
  if (!path || !Number.isSafeInteger(n) || n < 1) return undefined;
  const level = /warning/i.test(m[3] ?? "") ? "warning" : "failure";
  return { path, start_line: n, end_line: n, annotation_level: level, message: message(m[4] || line) || "error" };
}

/** A failed test that names its file and line (JUnit `file`/`line` attributes) as an annotation. */
export function testAnnotation(t: FailedTest, roots: readonly string[] = []): CheckAnnotation | undefined {
  const path = t.file ? repositoryPath(t.file, roots) : undefined;
  if (!path || !t.line || !Number.isSafeInteger(t.line) || t.line < 1) return undefined;
  const title = message(t.suite ? `${t.suite} › ${t.name}` : t.name).slice(0, 255);
  return { path, start_line: t.line, end_line: t.line, annotation_level: "failure", message: message(t.message ?? "test failed") || "test failed", title };
}

/**
 * The annotations of a failed build: failed tests first, then log lines, each place once,
 * at most `MAX_ANNOTATIONS`.
 */
export function collectAnnotations(input: { readonly failedTests?: readonly FailedTest[]; readonly logLines?: readonly string[]; readonly roots?: readonly string[] }): CheckAnnotation[] {
  const out: CheckAnnotation[] = [];
  const seen = new Set<string>();
  const add = (a: CheckAnnotation | undefined) => {
    if (!a || out.length >= MAX_ANNOTATIONS) return;
    const key = `${a.path}:${a.start_line}:${a.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(a);
  };
  for (const t of input.failedTests ?? []) add(testAnnotation(t, input.roots));
  for (const line of input.logLines ?? []) add(parseAnnotationLine(line, input.roots));
  return out;
}

/** Annotations in requests GitHub accepts: at most 50 each. */
export function annotationBatches<T>(annotations: readonly T[], size = ANNOTATIONS_PER_REQUEST): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < annotations.length; i += size) batches.push(annotations.slice(i, i + size));
  return batches;
}
