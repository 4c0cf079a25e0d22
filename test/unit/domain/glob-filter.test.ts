import { compileGlobFilter, describePatterns } from "../../../src/domain/glob-filter.js";

describe("compileGlobFilter", () => {
  it.each([
    { name: "exact name matches", patterns: ["main"], value: "main", want: true },
    { name: "exact name does not match a longer name", patterns: ["main"], value: "main2", want: false },
    { name: "exact name does not match a prefix", patterns: ["main"], value: "mai", want: false },
    { name: "* matches a name without slash", patterns: ["*"], value: "main", want: true },
    { name: "* does not cross /", patterns: ["*"], value: "feature/x", want: false },
    { name: "** crosses /", patterns: ["**"], value: "feature/x/y", want: true },
    { name: "release/* matches one level", patterns: ["release/*"], value: "release/1.0", want: true },
    { name: "release/* does not match two levels", patterns: ["release/*"], value: "release/1.0/hotfix", want: false },
    { name: "release/** matches two levels", patterns: ["release/**"], value: "release/1.0/hotfix", want: true },
    { name: "v* matches a version", patterns: ["v*"], value: "v1.2.3", want: true },
    { name: "v* does not match another prefix", patterns: ["v*"], value: "nightly", want: false },
    { name: "character class matches", patterns: ["v[0-9]*"], value: "v2.0", want: true },
    { name: "character class rejects", patterns: ["v[0-9]*"], value: "vx", want: false },
    { name: "** matches dot directories", patterns: ["**"], value: ".github/workflows/ci.yml", want: true },
    { name: "**/*.md matches a root file", patterns: ["**/*.md"], value: "README.md", want: true },
    { name: "**/*.md matches a nested file", patterns: ["**/*.md"], value: "docs/a/b.md", want: true },
    { name: "only-negative list matches everything else", patterns: ["!main"], value: "feature/x", want: true },
    { name: "only-negative list excludes its pattern", patterns: ["!main"], value: "main", want: false },
    { name: "several negatives exclude each", patterns: ["!main", "!dev"], value: "dev", want: false },
    { name: "several negatives keep the rest", patterns: ["!main", "!dev"], value: "qa", want: true },
    { name: "negated ** excludes nested names", patterns: ["!dependabot/**"], value: "dependabot/npm/x", want: false },
    { name: "positive then negative excludes", patterns: ["releases/**", "!releases/**-alpha"], value: "releases/10-alpha", want: false },
    { name: "positive then negative keeps others", patterns: ["releases/**", "!releases/**-alpha"], value: "releases/10", want: true },
    { name: "a later positive re-includes", patterns: ["releases/**", "!releases/**-alpha", "releases/beta-alpha"], value: "releases/beta-alpha", want: true },
    { name: "later negative overrides earlier positive", patterns: ["main", "!main"], value: "main", want: false },
    { name: "later positive overrides earlier negative", patterns: ["!main", "main"], value: "main", want: true },
    { name: "a list with a positive does not match unlisted names", patterns: ["main", "!dev"], value: "qa", want: false },
  ])("$name", ({ patterns, value, want }) => {
    expect(compileGlobFilter(patterns)(value)).toBe(want);
  });
});

describe("describePatterns", () => {
  it.each([
    { name: "one pattern", patterns: ["main"], want: "[main]" },
    { name: "several patterns keep order and negation", patterns: ["main", "release/*", "!release/old"], want: "[main, release/*, !release/old]" },
  ])("$name", ({ patterns, want }) => {
    expect(describePatterns(patterns)).toBe(want);
  });
});
