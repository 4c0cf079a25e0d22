import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

interface Probe {
  readonly name: string;
  readonly file: string;
  readonly code: string;
}

// One ESLint process for every probe, with the project's own config; nothing is written to disk.
const LINT_PROBES = `
import { ESLint } from "eslint";
const probes = JSON.parse(await new Promise((done) => { let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => done(s)); }));
const eslint = new ESLint({ cwd: process.cwd() });
const out = {};
for (const p of probes) {
  const [result] = await eslint.lintText(p.code, { filePath: p.file });
  out[p.name] = result.messages.filter((m) => m.ruleId === "import-x/no-restricted-paths").map((m) => m.message);
}
process.stdout.write(JSON.stringify(out));
`;

async function fenceErrors(probes: readonly Probe[]): Promise<Record<string, string[]>> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", LINT_PROBES], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdin.end(JSON.stringify(probes));
  const code = await new Promise((done) => child.on("close", done));
  if (code !== 0) throw new Error(`eslint failed: ${stderr}`);
  return JSON.parse(stdout) as Record<string, string[]>;
}

const importing = (name: string, file: string, from: string): Probe & { from: string } => ({ name, file, from, code: `import * as probe from "${from}";\nexport { probe };\n` });

// Each "never" of docs/architecture.md, tried as a real import of a real module.
const FORBIDDEN = [
  importing("domain imports the store", "src/domain/fence-probe.ts", "../store/store.js"),
  importing("domain imports an adapter", "src/domain/fence-probe.ts", "../providers/github/github-api.js"),
  importing("intake imports the pipeline", "src/intake/fence-probe.ts", "../pipeline/job-runner.js"),
  importing("intake imports a builder", "src/intake/fence-probe.ts", "../builders/route-builder.js"),
  importing("store imports web", "src/store/fence-probe.ts", "../web/board/board-context.js"),
  importing("store imports the pipeline", "src/store/fence-probe.ts", "../pipeline/job-runner.js"),
  importing("a provider imports web", "src/providers/github/fence-probe.ts", "../../web/board/board-context.js"),
  importing("the pipeline imports a provider", "src/pipeline/fence-probe.ts", "../providers/github/github-api.js"),
  importing("the pipeline imports a builder", "src/pipeline/fence-probe.ts", "../builders/route-builder.js"),
  importing("web imports the pipeline", "src/web/fence-probe.ts", "../pipeline/job-runner.js"),
  importing("web imports a builder", "src/web/board/fence-probe.ts", "../../builders/route-builder.js"),
  importing("metrics imports web", "src/metrics/fence-probe.ts", "../web/board/board-context.js"),
  importing("the log service imports a builder", "src/logs/fence-probe.ts", "../builders/local/local-log-source.js"),
  importing("web imports the log service", "src/web/fence-probe.ts", "../logs/create-build-logs.js"),
];

const ALLOWED: Probe[] = [
  { name: "the pipeline imports the domain and the store", file: "src/pipeline/fence-probe.ts", code: 'import * as a from "../domain/build-state.js";\nimport * as b from "../store/store.js";\nexport { a, b };\n' },
  { name: "the log service reads ports and the store", file: "src/logs/fence-probe.ts", code: 'import * as a from "../domain/log-source.js";\nimport * as b from "../store/store.js";\nexport { a, b };\n' },
  { name: "a provider implements a pipeline port", file: "src/providers/github/fence-probe.ts", code: 'import * as a from "../../pipeline/source-host.js";\nexport { a };\n' },
  { name: "the composition root imports everything", file: "src/main.ts", code: 'import * as a from "./providers/github/github-api.js";\nimport * as b from "./pipeline/job-runner.js";\nimport * as c from "./builders/route-builder.js";\nexport { a, b, c };\n' },
];

describe("the import fences (npm run lint)", () => {
  let errors: Record<string, string[]>;
  beforeAll(async () => {
    errors = await fenceErrors([...FORBIDDEN, ...ALLOWED]);
  }, 120_000);

  it.each(FORBIDDEN)("fails lint when $name", ({ name, from }) => {
    expect(errors[name]).toHaveLength(1);
    expect(errors[name]?.[0]).toContain(`Unexpected path "${from}"`);
  });

  it.each(ALLOWED)("passes when $name", ({ name }) => {
    expect(errors[name]).toEqual([]);
  });
});
