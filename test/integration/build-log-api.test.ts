import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import request from "supertest";
import { localBuildPaths } from "../../src/builders/local/record-files.js";
import { API_TOKEN, boardYaml, hashBoardUsers, seedBuild } from "../helpers/board-gate.js";
import { createTestGate, type TestGate } from "../helpers/test-gate.js";
import { tempDir } from "./local-runner-helpers.js";

// GET /api/builds/:id/log on the composed app: a finished local build's log, paged by cursor.
describe("GET /api/builds/:id/log", () => {
  let gate: TestGate;
  let workDir: string;
  let buildId: number;
  const LINES = 2500;
  const auth = { authorization: `Bearer ${API_TOKEN}` };
  const get = (path: string) => request(gate.app).get(path).set(auth);

  beforeAll(async () => {
    workDir = tempDir("log-api");
    const hashes = await hashBoardUsers();
    gate = await createTestGate({ yaml: `${boardYaml(hashes)}\nlocal: { workDir: "${workDir}" }\n` });
    const externalId = `local:demo:${randomUUID()}`;
    const log = localBuildPaths(workDir, externalId)!.log;
    mkdirSync(dirname(log), { recursive: true });
    const body = Array.from({ length: LINES }, (_, i) => (i === 1 ? "<script>alert(1)</script>\r" : `line ${i + 1}`)).join("\n");
    writeFileSync(log, `${body}\n`);
    ({ buildId } = await seedBuild(gate.store, { state: "failed", externalId }));
  });
  afterAll(async () => {
    await gate.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("pages through the whole log by cursor: 1,000 lines by default, numbered from 1", async () => {
    const first = await get(`/api/builds/${buildId}/log`);
    expect(first.status).toBe(200);
    expect(first.type).toBe("application/json");
    expect(first.body).toMatchObject({ cursor: 1000, total: LINES, complete: true });
    expect(first.body.notice).toBeUndefined();
    expect(first.body.lines.slice(0, 2)).toEqual([{ n: 1, text: "line 1" }, { n: 2, text: "<script>alert(1)</script>" }]);
    const texts: string[] = [];
    let cursor = 0;
    for (;;) {
      const page = await get(`/api/builds/${buildId}/log?after=${cursor}&limit=700`);
      if (page.body.lines.length === 0) break;
      texts.push(...page.body.lines.map((l: { text: string }) => l.text));
      cursor = page.body.cursor;
    }
    expect(texts).toHaveLength(LINES);
    expect(texts.at(-1)).toBe(`line ${LINES}`);
    const end = await get(`/api/builds/${buildId}/log?after=${LINES}`);
    expect(end.body).toEqual({ lines: [], cursor: LINES, total: LINES, complete: true });
  });

  it("answers 400 for a bad after or limit, 404 for an unknown build", async () => {
    for (const q of ["after=-1", "after=x", "after=1.5", "limit=0", "limit=5001", "limit=", "after=1&after=2"]) {
      const res = await get(`/api/builds/${buildId}/log?${q}`);
      expect({ q, status: res.status }).toEqual({ q, status: 400 });
      expect(res.body.error).toMatch(/^(after|limit) must be a whole number from \d+ to \d+$/);
    }
    expect((await get(`/api/builds/${buildId}/log?limit=5000`)).body.lines).toHaveLength(LINES);
    expect((await get("/api/builds/999999/log")).status).toBe(404);
    expect((await get("/api/builds/abc/log")).status).toBe(404);
  });

  it("serves the raw log as a text download", async () => {
    const res = await get(`/api/builds/${buildId}/log/raw`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="build-${buildId}.log"`);
    expect(res.text.split("\n")).toHaveLength(LINES + 1);
    expect(res.text.split("\n")[1]).toBe("<script>alert(1)</script>");
  });

  it("needs the board's access like the rest of the API", async () => {
    expect((await request(gate.app).get(`/api/builds/${buildId}/log`)).status).toBe(401);
  });
});
