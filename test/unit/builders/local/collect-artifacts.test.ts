import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { parseBuildspec } from "../../../../src/builders/local/buildspec.js";
import { collectArtifacts } from "../../../../src/builders/local/collect-artifacts.js";

/** Every file under dir, as sorted relative paths. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

const artifactsOf = (yaml: string) => parseBuildspec(`version: 0.2\nartifacts:\n${yaml}`).artifacts;

describe("collectArtifacts", () => {
  let src: string;
  let out: string;
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "bg-art-"));
    src = join(root, "src");
    out = join(root, "artifacts");
    // The layout of CodeBuild's own base-directory example, plus dotfiles and a symlink.
    for (const f of ["my-build1/my-file1.txt", "my-build2/my-file2.txt", "my-build2/my-subdirectory/my-file3.txt", "README.md", ".env.example", "logs/a.log"]) {
      mkdirSync(dirname(join(src, f)), { recursive: true });
      writeFileSync(join(src, f), f);
    }
    symlinkSync(join(src, "README.md"), join(src, "link.md"));
    mkdirSync(out);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    { name: "'**/*' takes every file, dotfiles and symlinked files included", yaml: "  files: ['**/*']", want: [".env.example", "README.md", "link.md", "logs/a.log", "my-build1/my-file1.txt", "my-build2/my-file2.txt", "my-build2/my-subdirectory/my-file3.txt"] },
    { name: "a single file and a folder glob", yaml: "  files:\n    - README.md\n    - ./my-build2/*", want: ["README.md", "my-build2/my-file2.txt"] },
    { name: "base-directory: paths are relative to it", yaml: "  files: ['*/my-file3.txt']\n  base-directory: my-build2", want: ["my-subdirectory/my-file3.txt"] },
    { name: "a base-directory glob with discard-paths flattens every match", yaml: "  files: ['**/*']\n  base-directory: 'my-build*'\n  discard-paths: yes", want: ["my-file1.txt", "my-file2.txt", "my-file3.txt"] },
    { name: "exclude-paths", yaml: "  files: ['**/*']\n  exclude-paths: ['my-build*/**/*', '**/*.log', '.*']", want: ["README.md", "link.md"] },
  ])("$name", async ({ yaml, want }) => {
    const result = await collectArtifacts(artifactsOf(yaml), src, out, () => undefined);
    expect(result).toEqual({ ok: true, files: want.length });
    expect(tree(out)).toEqual(want);
  });

  it.each([
    { name: "no file matches", yaml: "  files: ['*.jar']", want: "no matching artifact paths found" },
    { name: "the base directory does not exist", yaml: "  files: ['**/*']\n  base-directory: dist", want: "no matching base directory path found for dist" },
    { name: "the base directory leaves the source", yaml: "  files: ['**/*']\n  base-directory: ../..", want: "base-directory ../.. is outside the source directory" },
  ])("fails when $name", async ({ yaml, want }) => {
    expect(await collectArtifacts(artifactsOf(yaml), src, out, () => undefined)).toEqual({ ok: false, message: want });
    expect(tree(out)).toEqual([]);
  });

  it("has nothing to do without an artifacts section", async () => {
    expect(await collectArtifacts(undefined, src, out, () => undefined)).toEqual({ ok: true, files: 0 });
  });

  it("logs what it expands and how many files it found", async () => {
    const lines: string[] = [];
    await collectArtifacts(artifactsOf("  files: ['**/*.md']"), src, out, (l) => lines.push(l));
    expect(lines).toEqual(["Expanding base directory path: .", "Assembling file list for .: **/*.md", "Found 2 file(s)"]);
  });
});
