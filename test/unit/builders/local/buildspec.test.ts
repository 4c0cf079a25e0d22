import { BuildspecError, parseBuildspec } from "../../../../src/builders/local/buildspec.js";

const errorOf = (yaml: string): string => {
  try {
    parseBuildspec(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(BuildspecError);
    return (err as Error).message;
  }
  throw new Error("expected a BuildspecError");
};

describe("parseBuildspec", () => {
  it("reads a full version 0.2 buildspec, with CodeBuild's defaults filled in", () => {
    const spec = parseBuildspec(`
version: 0.2
env:
  variables:
    STAGE: ci
    PORT: 8080
    DEBUG: true
  exported-variables: [STAGE, OUT]
phases:
  install:
    runtime-versions:
      nodejs: 20
    commands:
      - npm ci
  build:
    on-failure: CONTINUE
    commands:
      - npm test
    finally:
      - echo done
artifacts:
  files:
    - '**/*'
  base-directory: dist
  discard-paths: yes
`);
    expect(spec.env.variables).toEqual({ STAGE: "ci", PORT: "8080", DEBUG: "true" });
    expect(spec.env["exported-variables"]).toEqual(["STAGE", "OUT"]);
    expect(spec.phases.install).toEqual({ "on-failure": "ABORT", commands: ["npm ci"], finally: [], "runtime-versions": { nodejs: 20 } });
    expect(spec.phases.build).toMatchObject({ "on-failure": "CONTINUE", commands: ["npm test"], finally: ["echo done"] });
    expect(spec.phases.pre_build).toBeUndefined();
    expect(spec.artifacts).toMatchObject({ files: ["**/*"], "base-directory": "dist", "discard-paths": true, "exclude-paths": [] });
    expect(spec.ignored).toEqual(["phases.install.runtime-versions"]);
  });

  it.each([
    { name: "version as a string", yaml: 'version: "0.2"\nphases: {build: {commands: [echo]}}' },
    { name: "no env, no artifacts", yaml: "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi" },
    { name: "an empty commands list", yaml: "version: 0.2\nphases:\n  build:\n    commands:\n    finally:\n      - echo" },
    { name: "a single artifact file as a string", yaml: "version: 0.2\nartifacts:\n  files: out.txt\n  discard-paths: no" },
  ])("accepts $name", ({ yaml }) => {
    expect(() => parseBuildspec(yaml)).not.toThrow();
  });

  it.each([
    { name: "version 0.1", yaml: "version: 0.1\nphases: {}", want: "buildspec version 0.1 is not supported: the local runner runs buildspec version 0.2 only" },
    { name: "version 1.0", yaml: "version: 1.0\nphases: {}", want: "buildspec version 1 is not supported" },
    { name: "no version", yaml: "phases: {}", want: "buildspec has no version" },
    { name: "not YAML", yaml: "version: 0.2\nphases: [unclosed", want: "buildspec is not valid YAML" },
    { name: "not a mapping", yaml: "- a\n- b", want: "buildspec must be a YAML mapping" },
    { name: "an unknown phase", yaml: "version: 0.2\nphases:\n  deploy:\n    commands: [x]", want: "phases: unknown key(s) 'deploy'" },
    { name: "an unknown top-level key", yaml: "version: 0.2\nstages: {}", want: "(root): unknown key(s) 'stages'" },
    { name: "RETRY on-failure", yaml: "version: 0.2\nphases:\n  build:\n    on-failure: RETRY\n    commands: [x]", want: "phases.build.on-failure: on-failure must be ABORT or CONTINUE" },
    { name: "a command that YAML read as a mapping", yaml: "version: 0.2\nphases:\n  build:\n    commands:\n      - echo a: b", want: "phases.build.commands.0: each command must be a string" },
    { name: "a reserved variable name", yaml: "version: 0.2\nenv:\n  variables:\n    CODEBUILD_X: 1", want: "env.variables.CODEBUILD_X: names starting with CODEBUILD_ are reserved" },
    { name: "an invalid variable name", yaml: "version: 0.2\nenv:\n  variables:\n    my-var: 1", want: "env.variables.my-var: must be a shell variable name" },
    { name: "Parameter Store", yaml: "version: 0.2\nenv:\n  parameter-store:\n    TOKEN: /ci/token", want: "env.parameter-store: Parameter Store is not available to the local runner" },
    { name: "Secrets Manager", yaml: "version: 0.2\nenv:\n  secrets-manager:\n    TOKEN: arn", want: "env.secrets-manager: Secrets Manager is not available" },
    { name: "batch builds", yaml: "version: 0.2\nbatch:\n  fast-fail: true", want: "batch: batch builds are not supported" },
    { name: "artifacts without files", yaml: "version: 0.2\nartifacts:\n  base-directory: dist", want: "artifacts.files" },
    { name: "duplicate keys", yaml: "version: 0.2\nphases: {}\nphases: {}", want: "buildspec is not valid YAML" },
  ])("rejects $name", ({ yaml, want }) => {
    expect(errorOf(yaml)).toContain(want);
  });

  it("lists the keys it ignores, so the build log can say so", () => {
    const spec = parseBuildspec("version: 0.2\nrun-as: root\nenv:\n  shell: bash\ncache:\n  paths: ['/root/.npm/**/*']\nphases: {}");
    expect(spec.ignored).toEqual(["run-as", "cache", "env.shell"]);
  });
});
