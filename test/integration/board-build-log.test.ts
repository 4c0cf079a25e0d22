import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestGate, type TestGate } from "../helpers/test-gate.js";
import { boardYaml, hashBoardUsers, OPERATOR, seedBuild, signedIn, type BoardClient } from "../helpers/board-gate.js";

const UUID = "00000000-0000-4000-8000-0000000000aa";
const LOCAL_ID = `local:hello-ci:${UUID}`;

describe("the build page shows the log's last lines", () => {
  let gate: TestGate;
  let operator: BoardClient;
  let workDir: string;
  let local: number;
  let remote: number;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "buildgate-board-log-"));
    mkdirSync(join(workDir, `hello-ci-${UUID}`), { recursive: true });
    const lines = Array.from({ length: 250 }, (_, i) => `line ${i + 1}`);
    lines[239] = "\x1b[31m</span><script>alert(1)</script>\x1b[0m";
    writeFileSync(join(workDir, `hello-ci-${UUID}`, "build.log"), `${lines.join("\n")}\n`);
    gate = await createTestGate({ yaml: `${boardYaml(await hashBoardUsers())}\nlocal: { workDir: "${workDir}" }\n` });
    local = (await seedBuild(gate.store, { state: "running", phase: "BUILD", externalId: LOCAL_ID })).buildId;
    remote = (await seedBuild(gate.store, { state: "failed", phase: "COMPLETED", externalId: "hello-ci:4b1c" })).buildId;
    operator = await signedIn(gate.app, OPERATOR);
  });
  afterAll(async () => {
    await gate.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("lists the last 200 lines with anchors, escaped, without terminal codes", async () => {
    const page = await operator.get(`/builds/${local}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<li id="L250"><a class="ln" href="#L250">250</a><span class="lt">line 250</span></li>');
    expect(page.text).toContain('id="L51"');
    expect(page.text).not.toContain('id="L50"');
    expect(page.text).toContain("Showing the last 200 of 250 lines so far");
    expect(page.text).toContain("&lt;/span&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page.text).not.toContain("<script>alert(1)");
    expect(page.text).not.toContain("\x1b");
    expect(page.text).toContain("→ local runner <code>");
    expect(page.text).not.toMatch(/CloudWatch logs|→ CodeBuild/);
  });

  it("says plainly why a CodeBuild build's log is not shown (no CloudWatch Logs here), on a page that still renders", async () => {
    const page = await operator.get(`/builds/${remote}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/class="log-notice log-unavailable">[^<]{10,}<\/p>/);
    expect(page.text).toContain("→ CodeBuild <code>");
  });

  it("serves the same lines from the API to a signed-in viewer", async () => {
    const api = await operator.get(`/api/builds/${local}/log?after=248`);
    expect(api.status).toBe(200);
    expect(api.body).toEqual({ lines: [{ n: 249, text: "line 249" }, { n: 250, text: "line 250" }], cursor: 250, total: 250, complete: false });
  });
});
