import { copyFile, mkdir, readdir, stat } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import picomatch from "picomatch";
import type { ArtifactsSpec } from "./buildspec.js";

export type ArtifactsResult = { readonly ok: true; readonly files: number } | { readonly ok: false; readonly message: string };

const toPosix = (p: string) => p.split(sep).join("/");
// CodeBuild accepts `./dist/app.js` as well as `dist/app.js`.
const normalize = (pattern: string) => pattern.replace(/^(\.\/)+/, "");
const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep));
};

/** Every file under `dir` (symlinked files included, symlinked folders not followed: no loops), as posix paths relative to it. */
async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), rel)));
    else if (entry.isFile()) out.push(rel);
    else if (entry.isSymbolicLink() && (await stat(join(dir, entry.name)).catch(() => undefined))?.isFile()) out.push(rel);
  }
  return out;
}

/** Folders under `root` (relative posix paths), for a base-directory glob such as `my-build*`. */
async function listDirs(root: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    out.push(rel, ...(await listDirs(root, rel)));
  }
  return out;
}

/** The base directories `base-directory` names: one path, or every folder a glob matches. */
async function resolveBases(srcDir: string, baseDirectory: string): Promise<string[] | string> {
  const pattern = normalize(baseDirectory) || ".";
  if (picomatch.scan(pattern).isGlob) {
    const isMatch = picomatch(pattern, { dot: true });
    const found = (await listDirs(srcDir)).filter((d) => isMatch(d)).map((d) => join(srcDir, d));
    return found.length > 0 ? found : `no matching base directory path found for ${baseDirectory}`;
  }
  const base = join(srcDir, pattern);
  if (!inside(srcDir, base)) return `base-directory ${baseDirectory} is outside the source directory`;
  const isDir = (await stat(base).catch(() => undefined))?.isDirectory();
  return isDir ? [base] : `no matching base directory path found for ${baseDirectory}`;
}

/**
 * UPLOAD_ARTIFACTS for the local runner: copies the files `artifacts.files` matches (globs,
 * relative to `base-directory`, minus `exclude-paths`) into `outDir`, flattened when
 * `discard-paths` is set. No match is a failure, as on CodeBuild ("no matching artifact paths
 * found"). Without an `artifacts` section there is nothing to do.
 */
export async function collectArtifacts(spec: ArtifactsSpec | undefined, srcDir: string, outDir: string, log: (line: string) => void): Promise<ArtifactsResult> {
  if (!spec) return { ok: true, files: 0 };
  log(`Expanding base directory path: ${spec["base-directory"]}`);
  const bases = await resolveBases(srcDir, spec["base-directory"]);
  if (typeof bases === "string") return { ok: false, message: bases };
  const isMatch = picomatch(spec.files.map(normalize), { dot: true });
  const excluded = spec["exclude-paths"].length > 0 ? picomatch(spec["exclude-paths"].map(normalize), { dot: true }) : () => false;
  let count = 0;
  for (const base of bases) {
    log(`Assembling file list for ${toPosix(relative(srcDir, base)) || "."}: ${spec.files.join(", ")}`);
    for (const file of await listFiles(base)) {
      if (!isMatch(file) || excluded(file)) continue;
      const dest = join(outDir, spec["discard-paths"] ? basename(file) : file);
      await mkdir(dirname(dest), { recursive: true });
      await copyFile(join(base, file), dest);
      count++;
    }
  }
  log(`Found ${count} file(s)`);
  return count > 0 ? { ok: true, files: count } : { ok: false, message: "no matching artifact paths found" };
}
