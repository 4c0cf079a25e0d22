import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import pino from "pino";
import request from "supertest";
import { createBuildLogs } from "../../../src/compose/create-build-logs.js";
import type { BuildRow } from "../../../src/store/store.js";
import { createApiRouter } from "../../../src/web/explain-route.js";
import { createErrorMiddleware } from "../../../src/web/error-middleware.js";
import { buildRow } from "../../helpers/store-fixtures.js";

describe("build logs of local builds, and GET /api/builds/:id/log", () => {
  let dir: string;
  let builds: Map<number, BuildRow>;
  const LOCAL = "local:hello-ci:00000000-0000-4000-8000-000000000001";

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-logs-"));
    writeFileSync(join(dir, "build.log"), "[Container] 2026/12/07 10:00:00 Entering phase BUILD\r\n<script>alert(1)</script>\nthree\n");
    builds = new Map([
      [1, buildRow({ id: 1, external_id: LOCAL, state: "running" })],
      [2, buildRow({ id: 2, external_id: "hello-ci:1234", state: "failed" })],
      [3, buildRow({ id: 3, external_id: null, state: "queued" })],
      [4, buildRow({ id: 4, external_id: "local:hello-ci:00000000-0000-4000-8000-000000000002", state: "succeeded" })],
    ]);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const logs = () => createBuildLogs({ store: { getBuild: async (id) => builds.get(id) }, localLogFile: (id) => (id === LOCAL ? join(dir, "build.log") : id.startsWith("local:") ? join(dir, "missing.log") : undefined) });
  const app = () => {
    const a = express();
    a.use("/api", createApiRouter({ store: { getBuild: async (id: number) => builds.get(id) } as never, linkOptions: { githubWeb: "https://github.com", awsRegion: "us-east-1" }, logs: logs() }));
    a.use(createErrorMiddleware(pino({ level: "silent" })));
    return a;
  };

  it("reads a running local build's lines after a cursor, numbered from 1, \\r dropped", async () => {
    expect(await logs().after(1, 0, 2)).toEqual({ lines: [{ n: 1, text: "[Container] 2026/12/07 10:00:00 Entering phase BUILD" }, { n: 2, text: "<script>alert(1)</script>" }], total: 3, complete: false });
    expect(await logs().after(1, 2, 10)).toEqual({ lines: [{ n: 3, text: "three" }], total: 3, complete: false });
    expect((await logs().last(1, 1)).lines).toEqual([{ n: 3, text: "three" }]);
  });

  it("says why there is no log instead of failing: CodeBuild, not started, no file yet", async () => {
    expect((await logs().after(2, 0, 10)).notice).toEqual({ kind: "unavailable", message: expect.stringMatching(/CodeBuild logs/) });
    expect(await logs().after(3, 0, 10)).toMatchObject({ lines: [], complete: false, notice: { kind: "unavailable", message: expect.stringMatching(/not started/) } });
    expect(await logs().after(4, 0, 10)).toMatchObject({ lines: [], complete: true, notice: { message: "no log yet" } });
    expect(await logs().raw(4)).toBeUndefined();
  });

  it("streams the raw file for a download", async () => {
    let text = "";
    for await (const chunk of (await logs().raw(1))!) text += String(chunk);
    expect(text).toContain("<script>alert(1)</script>\nthree\n");
  });

  it("answers lines with a cursor, and 400/404 for what it cannot answer", async () => {
    const first = await request(app()).get("/api/builds/1/log?limit=2");
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ lines: [expect.objectContaining({ n: 1 }), { n: 2, text: "<script>alert(1)</script>" }], cursor: 2, total: 3, complete: false });
    const next = await request(app()).get(`/api/builds/1/log?after=${first.body.cursor}`);
    expect(next.body).toMatchObject({ lines: [{ n: 3, text: "three" }], cursor: 3 });
    expect((await request(app()).get("/api/builds/1/log?after=3")).body).toMatchObject({ lines: [], cursor: 3 });
    expect((await request(app()).get("/api/builds/2/log")).body.notice.kind).toBe("unavailable");
    for (const bad of ["after=-1", "after=x", "limit=0", "limit=5001", "limit=1.5"]) {
      const r = await request(app()).get(`/api/builds/1/log?${bad}`);
      expect([bad, r.status]).toEqual([bad, 400]);
      expect(r.body.error).toMatch(/must be a whole number/);
    }
    expect((await request(app()).get("/api/builds/99/log")).status).toBe(404);
  });
});
