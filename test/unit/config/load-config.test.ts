import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../../src/config/config-error.js";
import { githubReport } from "../../../src/config/config.js";
import { loadConfig, parseConfig } from "../../../src/config/load-config.js";
import { createRouter } from "../../../src/domain/route-event.js";

const DEFAULT_TRUST = { associations: ["OWNER", "MEMBER", "COLLABORATOR"], okToTestLabel: "ok-to-test", allowForks: false };

const FULL = `
server:
  port: 9090
  host: 127.0.0.1
  publicUrl: https://ci.example.com/
  apiToken: \${API_TOKEN}
store:
  url: postgres://buildgate@db/buildgate
github:
  webhookSecrets: ["\${GH_SECRET}", old-secret]
  apiUrl: https://ghe.example.com/api/v3
  auth: { token: "\${GITHUB_TOKEN}" }
codecommit:
  eventbridge: { apiKeyHeader: x-api-key, apiKey: 0123456789abcdef }
aws:
  region: eu-west-1
  endpoints: { codebuild: "http://localhost:4566", codecommit: "http://localhost:4567", logs: "http://localhost:4568", s3: "http://localhost:4569" }
  maxAttempts: 5
logs: { cacheDir: /var/cache/buildgate-logs, maxBytesPerBuild: 1048576, pollSeconds: 5 }
tracking: { pollIntervalSeconds: 30 }
jobs: { concurrency: 8, maxAttempts: 20, leaseSeconds: 120 }
routes:
  - name: api
    source: { github: acme/api }
    on: [push, pull_request]
    branches: [main, "release/*"]
    headBranches: ["!dependabot/**"]
    paths: ["services/api/**"]
    drafts: true
    project: api-ci
    env: { STAGE: ci }
    context: ci/api
    cancelSuperseded: true
    reportSkipped: true
    trust: { associations: [OWNER, MEMBER], okToTestLabel: safe-to-test, allowForks: true }
  - name: releases
    source: { codecommit: MyRepo }
    on: [tag]
    tags: ["v*"]
    ignorePaths: ["docs/**"]
    project: release_build
`;

const FULL_ENV = { API_TOKEN: "tok-api", GH_SECRET: "s3cret", GITHUB_TOKEN: "ghp_x" };

const GITHUB = "github:\n  webhookSecrets: [s]\n";
/** A config with one github route; `extra` lines are added to the route (indented by 4). */
const withRoute = (extra = "", source = "{ github: acme/api }") =>
  `${GITHUB}routes:\n  - name: api\n    source: ${source}\n    on: [push]\n    project: api-ci\n${extra}`;

/** The problems of the ConfigError `fn` throws; fails when it throws anything else or nothing. */
function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig: valid configs", () => {
  it("parses every key and applies defaults", () => {
    expect(parseConfig(FULL, FULL_ENV)).toEqual({
      server: { port: 9090, host: "127.0.0.1", publicUrl: "https://ci.example.com", apiToken: "tok-api", trustProxy: false },
      store: { url: "postgres://buildgate@db/buildgate" },
      github: { webhookSecrets: ["s3cret", "old-secret"], apiUrl: "https://ghe.example.com/api/v3", auth: { token: "ghp_x" } },
      codecommit: { eventbridge: { apiKeyHeader: "x-api-key", apiKey: "0123456789abcdef" } },
      aws: { region: "eu-west-1", endpoints: { codebuild: "http://localhost:4566", codecommit: "http://localhost:4567", logs: "http://localhost:4568", s3: "http://localhost:4569" }, maxAttempts: 5 },
      logs: { cacheDir: "/var/cache/buildgate-logs", maxBytesPerBuild: 1048576, maxCacheBytes: 2147483648, pollSeconds: 5 },
      tracking: { pollIntervalSeconds: 30, stuckAfterMinutes: 480, sweepIntervalSeconds: 60 },
      jobs: { concurrency: 8, maxAttempts: 20, leaseSeconds: 120, drainSeconds: 20, keepFinishedDays: 7 },
      routes: [
        {
          name: "api",
          source: { provider: "github", repository: "acme/api" },
          on: ["push", "pull_request"],
          branches: ["main", "release/*"],
          headBranches: ["!dependabot/**"],
          paths: ["services/api/**"],
          drafts: true,
          project: "api-ci",
          env: { STAGE: "ci" },
          context: "ci/api",
          cancelSuperseded: { pullRequests: true, branches: false },
          builder: "codebuild",
          reportSkipped: true,
          trust: { associations: ["OWNER", "MEMBER"], okToTestLabel: "safe-to-test", allowForks: true },
          codecommit: { comments: true, approve: false, commentOnCommits: false },
        },
        {
          name: "releases",
          source: { provider: "codecommit", repository: "MyRepo" },
          on: ["tag"],
          tags: ["v*"],
          ignorePaths: ["docs/**"],
          drafts: false,
          project: "release_build",
          env: {},
          context: "buildgate/releases",
          cancelSuperseded: { pullRequests: false, branches: false },
          builder: "codebuild",
          reportSkipped: false,
          trust: DEFAULT_TRUST,
          codecommit: { comments: true, approve: false, commentOnCommits: false },
        },
      ],
    });
  });

  it.each([
    { name: "an empty file", text: "" },
    { name: "only comments", text: "# nothing yet\n" },
  ])("defaults everything for $name", ({ text }) => {
    expect(parseConfig(text, {})).toEqual({
      server: { port: 8080, host: "0.0.0.0", publicUrl: "http://localhost:8080", trustProxy: false },
      store: { url: "sqlite:./data/buildgate.db" },
      aws: { region: "us-east-1", endpoints: {}, maxAttempts: 3 },
      logs: { cacheDir: "./data/logs", maxBytesPerBuild: 10485760, maxCacheBytes: 2147483648, pollSeconds: 2 },
      tracking: { pollIntervalSeconds: 15, stuckAfterMinutes: 480, sweepIntervalSeconds: 60 },
      jobs: { concurrency: 4, maxAttempts: 10, leaseSeconds: 60, drainSeconds: 20, keepFinishedDays: 7 },
      routes: [],
    });
  });

  it("parses github.redelivery with its defaults, and the sweep's tracking keys", () => {
    const config = parseConfig(
      `github:\n  webhookSecrets: [s]\n  auth: { token: t }\n  redelivery: { org: acme, hookId: 42 }\ntracking: { stuckAfterMinutes: 60, sweepIntervalSeconds: 30 }\n`,
      {},
    );
    expect(config.github?.redelivery).toEqual({ enabled: true, org: "acme", hookId: 42, lookbackHours: 72, intervalMinutes: 10, maxPerRun: 50 });
    expect(config.tracking).toEqual({ pollIntervalSeconds: 15, stuckAfterMinutes: 60, sweepIntervalSeconds: 30 });
  });

  it.each([
    { name: "redelivery without github.auth", text: "github:\n  webhookSecrets: [s]\n  redelivery: { enabled: true }\n", want: "github.redelivery: redelivery needs github.auth" },
    { name: "a lookback past GitHub's 3 days", text: "github:\n  webhookSecrets: [s]\n  auth: { token: t }\n  redelivery: { lookbackHours: 100 }\n", want: "github.redelivery.lookbackHours" },
    { name: "a stuck threshold under 15 minutes", text: "tracking: { stuckAfterMinutes: 5 }\n", want: "tracking.stuckAfterMinutes" },
    { name: "a log poll faster than once a second", text: "logs: { pollSeconds: 0.5 }\n", want: "logs.pollSeconds" },
    { name: "an unknown logs key", text: "logs: { cacheDirectory: /tmp }\n", want: "logs" },
    { name: "a bad logs endpoint", text: "aws: { endpoints: { logs: 'localhost:4568' } }\n", want: "aws.endpoints.logs" },
    { name: "a bad s3 endpoint", text: "aws: { endpoints: { s3: 'localhost:4569' } }\n", want: "aws.endpoints.s3" },
  ])("refuses $name", ({ text, want }) => {
    expect(problemsOf(() => parseConfig(text, {})).join("\n")).toContain(want);
  });

  it("accepts a disabled redelivery without auth", () => {
    expect(parseConfig("github:\n  webhookSecrets: [s]\n  redelivery: { enabled: false }\n", {}).github?.redelivery?.enabled).toBe(false);
  });

  it("accepts GitHub App auth", () => {
    const config = parseConfig(`github:\n  webhookSecrets: [s]\n  auth: { appId: 123, privateKeyPath: ./key.pem, installationId: "456" }\n`, {});
    expect(config.github?.auth).toEqual({ appId: 123, privateKeyPath: "./key.pem", installationId: "456" });
  });

  describe("github.report", () => {
    const app = "auth: { appId: 123, privateKeyPath: ./key.pem }";
    it.each([
      { name: "an App reports check runs by default", auth: app, report: "", want: "checks" },
      { name: "a token reports statuses by default", auth: "auth: { token: t }", report: "", want: "statuses" },
      { name: "no auth: statuses (logged)", auth: "", report: "", want: "statuses" },
      { name: "an App may keep statuses", auth: app, report: "report: statuses", want: "statuses" },
      { name: "an App may ask for checks", auth: app, report: "report: checks", want: "checks" },
    ])("$name", ({ auth, report, want }) => {
      const config = parseConfig(`github:\n  webhookSecrets: [s]\n${auth ? `  ${auth}\n` : ""}${report ? `  ${report}\n` : ""}`, {});
      expect(githubReport(config.github!)).toBe(want);
    });

    it.each([
      { name: "checks with a token", text: "  auth: { token: t }\n  report: checks\n" },
      { name: "checks without auth", text: "  report: checks\n" },
    ])("refuses $name: GitHub only lets Apps create check runs", ({ text }) => {
      expect(problemsOf(() => parseConfig(`github:\n  webhookSecrets: [s]\n${text}`, {})).join("\n")).toContain("github.report: checks needs github.auth to be a GitHub App (appId, privateKeyPath): GitHub only lets Apps create check runs");
    });

    it("refuses an unknown report", () => {
      expect(problemsOf(() => parseConfig("github:\n  webhookSecrets: [s]\n  report: comments\n", {})).join("\n")).toContain("github.report");
    });

    it("accepts an App without installationId (each delivery names its installation)", () => {
      expect(parseConfig(`github:\n  webhookSecrets: [s]\n  ${app}\n`, {}).github?.auth).toEqual({ appId: 123, privateKeyPath: "./key.pem" });
    });

    it("refuses the redelivery sweep as an App without installationId", () => {
      expect(problemsOf(() => parseConfig(`github:\n  webhookSecrets: [s]\n  ${app}\n  redelivery: { enabled: true }\n`, {})).join("\n")).toContain("github.redelivery: redelivery as a GitHub App needs github.auth.installationId");
    });
  });

  it.each([
    { value: "false", want: { pullRequests: false, branches: false } },
    { value: "true", want: { pullRequests: true, branches: false } },
    { value: "pull_requests", want: { pullRequests: true, branches: false } },
    { value: "branches", want: { pullRequests: false, branches: true } },
    { value: "all", want: { pullRequests: true, branches: true } },
  ])("cancelSuperseded: $value", ({ value, want }) => {
    const [route] = parseConfig(withRoute(`    cancelSuperseded: ${value}\n`), {}).routes;
    expect(route?.cancelSuperseded).toEqual(want);
  });

  it("cancelSuperseded defaults to cancelling nothing", () => {
    const [route] = parseConfig(withRoute(), {}).routes;
    expect(route?.cancelSuperseded).toEqual({ pullRequests: false, branches: false });
  });

  it("rejects an unknown cancelSuperseded value", () => {
    const problems = problemsOf(() => parseConfig(withRoute("    cancelSuperseded: tags\n"), {}));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^routes\[0\]\.cancelSuperseded: /);
  });

  it("fills trust defaults for a partial trust section", () => {
    const [route] = parseConfig(withRoute("    trust: { allowForks: true }\n"), {}).routes;
    expect(route?.trust).toEqual({ ...DEFAULT_TRUST, allowForks: true });
  });

  it("gives routes that the router can use", () => {
    const config = parseConfig(FULL, FULL_ENV);
    const route = createRouter(config.routes);
    const result = route({
      provider: "github",
      deliveryId: "d",
      repository: "acme/api",
      kind: "push",
      action: "pushed",
      ref: "refs/heads/release/2",
      branch: "release/2",
      sha: "abc",
      actor: "me",
      changedFiles: ["services/api/main.ts"],
    });
    expect(result.decisions).toEqual([
      { route: "api", matched: true, reason: "matched: push to release/2 starts api-ci" },
      { route: "releases", matched: false, reason: "repository github:acme/api is not codecommit:MyRepo" },
    ]);
    expect(result.plans[0]).toMatchObject({ context: "ci/api", env: { STAGE: "ci", BUILDGATE_BRANCH: "release/2" } });
  });
});

describe("parseConfig: PORT and publicUrl", () => {
  it.each([
    { name: "server.port without PORT", text: "server: { port: 9090 }\n", env: {}, port: 9090, publicUrl: "http://localhost:9090" },
    { name: "PORT overrides server.port", text: "server: { port: 9090 }\n", env: { PORT: "3000" }, port: 3000, publicUrl: "http://localhost:3000" },
    { name: "PORT over the default port", text: "", env: { PORT: "3001" }, port: 3001, publicUrl: "http://localhost:3001" },
    { name: "empty PORT is ignored", text: "server: { port: 9090 }\n", env: { PORT: "" }, port: 9090, publicUrl: "http://localhost:9090" },
    { name: "PORT 0 picks a free port", text: "", env: { PORT: "0" }, port: 0, publicUrl: "http://localhost:0" },
    { name: "publicUrl is kept with PORT", text: "server: { publicUrl: 'https://ci.example.com' }\n", env: { PORT: "3000" }, port: 3000, publicUrl: "https://ci.example.com" },
    { name: "trailing slashes are removed", text: "server: { publicUrl: 'http://ci.local:8080/gate//' }\n", env: {}, port: 8080, publicUrl: "http://ci.local:8080/gate" },
  ])("$name", ({ text, env, port, publicUrl }) => {
    const { server } = parseConfig(text, env);
    expect(server.port).toBe(port);
    expect(server.publicUrl).toBe(publicUrl);
  });

  it.each(["abc", "70000", "-1", "80.5"])("rejects PORT=%s", (value) => {
    expect(problemsOf(() => parseConfig("", { PORT: value }))).toEqual([`PORT: must be a port number, got ${value}`]);
  });
});

describe("parseConfig: environment interpolation", () => {
  const secretsOf = (secret: string, env: NodeJS.ProcessEnv) => parseConfig(`github:\n  webhookSecrets: ["${secret}"]\n`, env).github?.webhookSecrets;
  it.each([
    { name: "${VAR} is replaced", secret: "${S}", env: { S: "abc" }, want: "abc" },
    { name: "${VAR} inside text", secret: "pre-${S}-post", env: { S: "abc" }, want: "pre-abc-post" },
    { name: "several variables", secret: "${A}${B}", env: { A: "x", B: "y" }, want: "xy" },
    { name: "${VAR:-default} when unset", secret: "${S:-fallback}", env: {}, want: "fallback" },
    { name: "${VAR:-default} when empty", secret: "${S:-fallback}", env: { S: "" }, want: "fallback" },
    { name: "${VAR:-default} when set", secret: "${S:-fallback}", env: { S: "real" }, want: "real" },
    { name: "$$ is a literal $", secret: "pa$$word", env: {}, want: "pa$word" },
    { name: "$${VAR} is literal", secret: "$${S}", env: {}, want: "${S}" },
    { name: "a lone $ is kept", secret: "a$b", env: {}, want: "a$b" },
    { name: "values are not expanded twice", secret: "${S}", env: { S: "${T}", T: "no" }, want: "${T}" },
  ])("$name", ({ secret, env, want }) => {
    expect(secretsOf(secret, env)).toEqual([want]);
  });

  it("does not let a value change the document's shape", () => {
    const text = "github:\n  webhookSecrets:\n    - ${S}\n";
    expect(parseConfig(text, { S: "a, b]\nroutes: [x" }).github?.webhookSecrets).toEqual(["a, b]\nroutes: [x"]);
  });
});

describe("parseConfig: problems name the key path", () => {
  it.each([
    { name: "unknown root key", text: "servr: {}\n", env: {}, want: ["(root): unknown key 'servr'"] },
    { name: "two unknown root keys", text: "a: 1\nb: 2\n", env: {}, want: ["(root): unknown keys 'a', 'b'"] },
    { name: "unknown nested key", text: "server: { prot: 1 }\n", env: {}, want: ["server: unknown key 'prot'"] },
    { name: "unknown key in a route", text: withRoute("    brnches: [main]\n"), env: {}, want: ["routes[0]: unknown key 'brnches'"] },
    { name: "unknown key in trust", text: withRoute("    trust: { allowFork: true }\n"), env: {}, want: ["routes[0].trust: unknown key 'allowFork'"] },
    { name: "wrong type", text: "server: { port: 'eighty' }\n", env: {}, want: ["server.port: must be a port number (0-65535)"] },
    { name: "wrong type for a boolean", text: "routes: [{ name: a, source: { github: a/b }, on: [push], project: p1, drafts: 'yes' }]\ngithub: { webhookSecrets: [s] }\n", env: {}, want: ["routes[0].drafts: Invalid input: expected boolean, received string"] },
    { name: "port out of range", text: "server: { port: 70000 }\n", env: {}, want: ["server.port: Too big: expected number to be <=65535"] },
    { name: "routes not a list", text: "routes: {}\n", env: {}, want: ["routes: Invalid input: expected array, received object"] },
    { name: "a list at the root", text: "- a\n", env: {}, want: ["(root): Invalid input: expected object, received array"] },
    { name: "empty webhook secret", text: "github: { webhookSecrets: [''] }\n", env: {}, want: ["github.webhookSecrets[0]: must not be empty (an empty secret lets anyone sign)"] },
    { name: "empty list of secrets", text: "github: { webhookSecrets: [] }\n", env: {}, want: ["github.webhookSecrets: must list at least one secret"] },
    { name: "missing secrets", text: "github: {}\n", env: {}, want: ["github.webhookSecrets: Invalid input: expected array, received undefined"] },
    {
      name: "missing env var",
      text: "github: { webhookSecrets: ['${GITHUB_WEBHOOK_SECRET}'] }\n",
      env: {},
      want: ["github.webhookSecrets[0]: environment variable GITHUB_WEBHOOK_SECRET is not set"],
    },
    {
      name: "env var set to the empty string",
      text: "github: { webhookSecrets: ['${GITHUB_WEBHOOK_SECRET}'] }\n",
      env: { GITHUB_WEBHOOK_SECRET: "" },
      want: ["github.webhookSecrets[0]: environment variable GITHUB_WEBHOOK_SECRET is not set"],
    },
    { name: "empty default gives an empty secret", text: "github: { webhookSecrets: ['${S:-}'] }\n", env: {}, want: ["github.webhookSecrets[0]: must not be empty (an empty secret lets anyone sign)"] },
    { name: "missing env var in a route", text: withRoute("    env: { TOKEN: '${TOKEN}' }\n"), env: {}, want: ["routes[0].env.TOKEN: environment variable TOKEN is not set"] },
    {
      name: "duplicate route names",
      text: `${withRoute()}  - name: api\n    source: { github: acme/web }\n    on: [push]\n    project: web-ci\n`,
      env: {},
      want: ["routes[1].name: duplicate route name api"],
    },
    {
      name: "github route without github section",
      text: "routes:\n  - name: api\n    source: { github: acme/api }\n    on: [push]\n    project: api-ci\n",
      env: {},
      want: ["routes[0].source: a github source needs the github section (webhookSecrets)"],
    },
    {
      name: "paths and ignorePaths together",
      text: withRoute("    paths: [src/**]\n    ignorePaths: [docs/**]\n"),
      env: {},
      want: ["routes[0].ignorePaths: use either paths or ignorePaths, not both (paths accepts '!' exclusions)"],
    },
    {
      name: "reserved env names",
      text: withRoute("    env: { BUILDGATE_SHA: x, CODEBUILD_SRC_DIR: y, STAGE: ci }\n"),
      env: {},
      want: ["routes[0].env.BUILDGATE_SHA: CODEBUILD_* and BUILDGATE_* are reserved", "routes[0].env.CODEBUILD_SRC_DIR: CODEBUILD_* and BUILDGATE_* are reserved"],
    },
    { name: "env name that is not a shell name", text: withRoute("    env: { 1X: a }\n"), env: {}, want: ["routes[0].env.1X: must be a shell variable name"] },
    { name: "env value that is not a string", text: withRoute("    env: { N: 1 }\n"), env: {}, want: ["routes[0].env.N: Invalid input: expected string, received number"] },
    {
      name: "bad project name",
      text: `${GITHUB}routes:\n  - name: api\n    source: { github: acme/api }\n    on: [push]\n    project: "my project"\n`,
      env: {},
      want: ["routes[0].project: must be a CodeBuild project name (2-150 of A-Z a-z 0-9 - _)"],
    },
    {
      name: "bad route name",
      text: `${GITHUB}routes:\n  - name: "-api"\n    source: { github: acme/api }\n    on: [push]\n    project: api-ci\n`,
      env: {},
      want: ["routes[0].name: must be 1-63 letters, digits, '.', '_' or '-'"],
    },
    { name: "bad github repository", text: withRoute("", "{ github: acme }"), env: {}, want: ["routes[0].source.github: must be owner/repo"] },
    { name: "both sources", text: withRoute("", "{ github: acme/api, codecommit: Repo }"), env: {}, want: ["routes[0].source: unknown key(s) codecommit"] },
    { name: "empty on", text: withRoute().replace("on: [push]", "on: []"), env: {}, want: ["routes[0].on: must list at least one event"] },
    { name: "unknown event kind", text: withRoute().replace("on: [push]", "on: [merge]"), env: {}, want: ['routes[0].on[0]: Invalid option: expected one of "push"|"tag"|"pull_request"|"comment"'] },
    { name: "empty branches", text: withRoute("    branches: []\n"), env: {}, want: ["routes[0].branches: must list at least one pattern"] },
    { name: "empty pattern", text: withRoute("    paths: ['  ']\n"), env: {}, want: ["routes[0].paths[0]: must not be empty"] },
    { name: "bad store url", text: "store: { url: 'mysql://db' }\n", env: {}, want: ["store.url: must start with sqlite: or postgres://"] },
    { name: "bad publicUrl", text: "server: { publicUrl: 'ftp://ci' }\n", env: {}, want: ["server.publicUrl: must be an http(s) URL"] },
    { name: "bad endpoint", text: "aws: { endpoints: { codebuild: 'localhost:4566' } }\n", env: {}, want: ["aws.endpoints.codebuild: must be an http(s) URL"] },
    {
      name: "several problems at once",
      text: "servr: {}\nserver: { port: -1 }\ngithub: { webhookSecrets: [] }\n",
      env: {},
      want: ["(root): unknown key 'servr'", "github.webhookSecrets: must list at least one secret", "server.port: Too small: expected number to be >=0"],
    },
  ])("$name", ({ text, env, want }) => {
    // The order of problems is not part of the contract.
    expect([...problemsOf(() => parseConfig(text, env))].sort()).toEqual([...want].sort());
  });

  it.each([
    { name: "invalid YAML", text: "server: [\n", want: /^YAML: Flow sequence in block collection/ },
    { name: "duplicate keys", text: "server: {}\nserver: {}\n", want: /^YAML: Map keys must be unique/ },
    { name: "bad indentation", text: "server:\n  port: 1\n host: x\n", want: /^YAML: / },
  ])("YAML errors: $name", ({ text, want }) => {
    const problems = problemsOf(() => parseConfig(text, {}));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(want);
  });

  it("puts every problem in the error message", () => {
    const error = (() => {
      try {
        parseConfig("a: 1\nserver: { port: 'x' }\n", {});
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    if (!(error instanceof ConfigError)) throw new Error("expected a ConfigError");
    expect(error.name).toBe("ConfigError");
    expect(error.message.split("\n")[0]).toBe("invalid configuration:");
    expect(error.message).toContain("\n  - (root): unknown key 'a'");
    expect(error.message).toContain("\n  - server.port: must be a port number (0-65535)");
    expect(error.problems).toHaveLength(2);
  });
});

describe("loadConfig", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-config-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads and parses a file", () => {
    const file = join(dir, "buildgate.yaml");
    writeFileSync(file, FULL);
    expect(loadConfig(file, FULL_ENV)).toEqual(parseConfig(FULL, FULL_ENV));
  });

  it("names a missing file", () => {
    const file = join(dir, "missing.yaml");
    expect(problemsOf(() => loadConfig(file, {}))).toEqual([`cannot read config file ${file}: ENOENT`]);
  });

  it("names a directory given as the file", () => {
    expect(problemsOf(() => loadConfig(dir, {}))).toEqual([`cannot read config file ${dir}: EISDIR`]);
  });

  it("reports problems of the file's content", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "servr: {}\n");
    expect(problemsOf(() => loadConfig(file, {}))).toEqual(["(root): unknown key 'servr'"]);
  });
});

describe("parseConfig: values from the environment", () => {
  it("takes a port from an environment variable", () => {
    expect(parseConfig("server: { port: '${P}' }\n", { P: "9090" }).server.port).toBe(9090);
  });

  it("reports every missing variable, not only the first", () => {
    try {
      parseConfig("server: { apiToken: '${A}' }\ngithub: { webhookSecrets: ['${B}'] }\n", {});
      throw new Error("expected a ConfigError");
    } catch (err) {
      expect((err as { problems: string[] }).problems).toEqual(["server.apiToken: environment variable A is not set", "github.webhookSecrets[0]: environment variable B is not set"]);
    }
  });
});

describe("parseConfig: the local runner", () => {
  const base = `github: { webhookSecrets: [s] }\n`;
  it("needs the local section for a local route, and takes its defaults", () => {
    const route = `routes: [{ name: a, source: { github: a/b }, on: [push], project: p1, builder: local, buildspec: "version: 0.2" }]\n`;
    expect(() => parseConfig(base + route, {})).toThrow(/routes\[0\]\.builder: builder local needs the local section/);
    const config = parseConfig(`${base}${route}local: { sources: { "a/b": { path: ./src } } }\n`, {});
    expect(config.local).toEqual({ workDir: "./data/builds", concurrency: 2, timeoutMinutes: 60, maxLogBytes: 5 * 1024 * 1024, allowForkPullRequests: false, sources: { "a/b": { path: "./src" } } });
    expect(config.routes[0]).toMatchObject({ builder: "local", buildspec: "version: 0.2" });
  });

  it("refuses a source that is neither a path nor a git URL", () => {
    expect(() => parseConfig(`${base}local: { sources: { "a/b": { url: x } } }\n`, {})).toThrow(/local\.sources\.a\/b/);
  });
});
