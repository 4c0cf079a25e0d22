import { annotationBatches, collectAnnotations, MAX_ANNOTATIONS, parseAnnotationLine, repositoryPath } from "../../../src/domain/check-annotations.js";

describe("parseAnnotationLine", () => {
  it.each([
    { name: "tsc", line: "src/a.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.", want: { path: "src/a.ts", start_line: 12, end_line: 12, annotation_level: "failure", message: "TS2322: Type 'string' is not assignable to type 'number'." } },
    { name: "tsc --pretty", line: "src/a.ts:12:5 - error TS2322: Type 'string' is not assignable", want: { path: "src/a.ts", start_line: 12, annotation_level: "failure", message: "TS2322: Type 'string' is not assignable" } },
    { name: "gcc", line: "lib/x.c:7:3: error: expected ';' before '}' token", want: { path: "lib/x.c", start_line: 7, message: "expected ';' before '}' token" } },
    { name: "a warning", line: "./pkg/y.go:3: warning: unused variable", want: { path: "pkg/y.go", start_line: 3, annotation_level: "warning" } },
    { name: "CodeBuild's checkout prefix stripped", line: "/codebuild/output/src1/src/s/a.ts(1,1): error TS1005: ';' expected.", roots: ["/codebuild/output/src1/src/s"], want: { path: "a.ts", start_line: 1 } },
  ])("$name", ({ line, want, roots }) => {
    expect(parseAnnotationLine(line, roots)).toMatchObject(want);
  });

  it.each([
    { name: "a plain log line", line: "npm ERR! Test failed. See above for more details." },
    { name: "a URL", line: "GET https://registry.npmjs.org:443/x - error 500" },
    { name: "a time", line: "10:42:01 error: something" },
    { name: "an absolute path outside the checkout", line: "/usr/include/stdio.h:12:1: error: nope" },
    { name: "a path leaving the repository", line: "../secret.ts(1,1): error TS1: x" },
    { name: "line 0", line: "src/a.ts(0,1): error TS1: x" },
  ])("ignores $name", ({ line }) => {
    expect(parseAnnotationLine(line)).toBeUndefined();
  });
});

describe("repositoryPath", () => {
  it.each([
    ["./src/a.ts", "src/a.ts"],
    ["src\\win\\a.cs", "src/win/a.cs"],
    ["C:/x/a.cs", undefined],
    ["Makefile", undefined],
  ])("%s → %s", (raw, want) => {
    expect(repositoryPath(raw)).toBe(want);
  });
});

describe("collectAnnotations", () => {
  it("puts failed tests (JUnit file and line) first, each place once, and caps the total", () => {
    const lines = Array.from({ length: 300 }, (_, i) => `src/f${i}.ts(${i + 1},1): error TS1: bad`);
    const got = collectAnnotations({ failedTests: [{ name: "adds", suite: "math", message: "expected 2", file: "test/math.test.ts", line: 9 }, { name: "no file" }], logLines: [lines[0] as string, lines[0] as string, ...lines] });
    expect(got).toHaveLength(MAX_ANNOTATIONS);
    expect(got[0]).toEqual({ path: "test/math.test.ts", start_line: 9, end_line: 9, annotation_level: "failure", message: "expected 2", title: "math › adds" });
    expect(got[1]?.path).toBe("src/f0.ts");
    expect(got[2]?.path).toBe("src/f1.ts");
  });
});

describe("annotationBatches", () => {
  it.each([
    [0, []],
    [50, [50]],
    [51, [50, 1]],
    [200, [50, 50, 50, 50]],
  ])("%i annotations → batches of %j", (n, sizes) => {
    expect(annotationBatches(Array.from({ length: n }, (_, i) => i)).map((b) => b.length)).toEqual(sizes);
  });
});
