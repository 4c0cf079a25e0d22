import { checkoutTarget } from "../../../../src/builders/local/fetch-source.js";
import { defaultHostEnv, resolveLocalOptions } from "../../../../src/builders/local/local-builder-options.js";

describe("local builder options", () => {
  it("inherits only PATH, HOME and LANG from the gateway by default", () => {
    const env = { PATH: "/bin", HOME: "/home/bg", LANG: "C.UTF-8", GITHUB_TOKEN: "ghp_secret", AWS_SECRET_ACCESS_KEY: "x" };
    expect(defaultHostEnv(env)).toEqual({ PATH: "/bin", HOME: "/home/bg", LANG: "C.UTF-8" });
    expect(defaultHostEnv({})).toEqual({ PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" });
  });

  it("fills CodeBuild-like defaults", () => {
    const o = resolveLocalOptions({ workDir: "/tmp/x", sources: () => undefined });
    expect(o).toMatchObject({ concurrency: 2, timeoutMs: 3_600_000, maxLogBytes: 5 * 1024 * 1024, shell: "/bin/bash" });
  });

  it.each([
    { name: "a zero concurrency", over: { concurrency: 0 }, want: "concurrency must be a positive integer" },
    { name: "a fractional concurrency", over: { concurrency: 1.5 }, want: "concurrency must be a positive integer" },
    { name: "a negative timeout", over: { timeoutMs: -1 }, want: "timeoutMs must be a positive number" },
    { name: "no workDir", over: { workDir: "" }, want: "workDir is required" },
  ])("refuses $name", ({ over, want }) => {
    expect(() => resolveLocalOptions({ workDir: "/tmp/x", sources: () => undefined, ...over })).toThrow(want);
  });
});

describe("checkoutTarget", () => {
  const SHA = "0123456789abcdef0123456789abcdef01234567";
  it.each([
    { name: "the request's sha wins", sha: SHA, version: "refs/heads/main", want: SHA },
    { name: "a branch ref with its sha", sha: undefined, version: `refs/heads/main^{${SHA}}`, want: SHA },
    { name: "a pull request ref with its sha", sha: undefined, version: `refs/pull/12/head^{${SHA}}`, want: SHA },
    { name: "a bare sha", sha: undefined, version: SHA, want: SHA },
    { name: "a branch name", sha: undefined, version: "main", want: "main" },
  ])("$name", ({ sha, version, want }) => {
    expect(checkoutTarget(sha, version)).toBe(want);
  });
});
