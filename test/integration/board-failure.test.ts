import request from "supertest";
import { createTestGate, type TestGate } from "../helpers/test-gate.js";
import { API_TOKEN, boardYaml, hashBoardUsers, OPERATOR, seedBuild, signedIn, type BoardClient } from "../helpers/board-gate.js";
import { BUILD_STATES, type BuildState } from "../../src/domain/build-state.js";

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
// A command from the repository's buildspec that tries to break out of the page.
const HOSTILE = `echo "</code><script>alert(1)</script>" && npm test`;

/** builds.phases as the tracker stores them: SUBMITTED, then `type` failed with one context. */
const phases = (type: string, status: string, statusCode: string, message: string) =>
  JSON.stringify([
    { type: "SUBMITTED", status: "SUCCEEDED", startedAt: T0, endedAt: T0 },
    { type, status, startedAt: T0, endedAt: T0 + 65_000, durationSeconds: 65, contexts: [{ statusCode, message }] },
    { type: "COMPLETED", startedAt: T0 + 65_000 },
  ]);
const commandFailed = (command: string) => phases("BUILD", "FAILED", "COMMAND_EXECUTION_ERROR", `Error while executing command: ${command}. Reason: exit status 1`);

describe("the failure cause on the board and in the JSON API", () => {
  let gate: TestGate;
  let operator: BoardClient;
  const ids: Record<"command" | "source" | "hostile" | "succeeded" | "noContext", number> = { command: 0, source: 0, hostile: 0, succeeded: 0, noContext: 0 };

  async function seed(state: BuildState, stored: string): Promise<number> {
    const { buildId } = await seedBuild(gate.store, { state, phase: "COMPLETED", now: T0 });
    await gate.store.updateBuild(buildId, BUILD_STATES, { phases: stored, started_at: T0, ended_at: T0 + 65_000 }, T0);
    return buildId;
  }

  beforeAll(async () => {
    gate = await createTestGate({ yaml: boardYaml(await hashBoardUsers()) });
    ids.command = await seed("failed", commandFailed("npm test"));
    ids.source = await seed("failed", phases("DOWNLOAD_SOURCE", "CLIENT_ERROR", "CLIENT_ERROR", "repository not found for primary source and source version main"));
    ids.hostile = await seed("failed", commandFailed(HOSTILE));
    ids.succeeded = await seed("succeeded", JSON.stringify([{ type: "BUILD", status: "SUCCEEDED" }]));
    ids.noContext = await seed("failed", JSON.stringify([{ type: "BUILD", status: "FAILED" }]));
    operator = await signedIn(gate.app, OPERATOR);
  });
  afterAll(async () => {
    await gate.close();
  });

  const api = (id: number) => request(gate.app).get(`/api/builds/${id}`).set("authorization", `Bearer ${API_TOKEN}`);

  it.each([
    { name: "a failed command", key: "command" as const, want: { phase: "BUILD", command: "npm test", reason: "exit status 1" } },
    { name: "a source that cannot be found", key: "source" as const, want: { phase: "DOWNLOAD_SOURCE", command: null, reason: "repository not found for primary source and source version main" } },
    { name: "a hostile command, as raw JSON text", key: "hostile" as const, want: { phase: "BUILD", command: HOSTILE, reason: "exit status 1" } },
    { name: "a failed phase without context", key: "noContext" as const, want: { phase: "BUILD", command: null, reason: null } },
    { name: "a succeeded build", key: "succeeded" as const, want: null },
  ])("GET /api/builds/:id answers failure beside build and phases: $name", async ({ key, want }) => {
    const res = await api(ids[key]);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(expect.arrayContaining(["build", "phases", "failure"]));
    expect(res.body.failure).toEqual(want);
  });

  it("GET /api/builds/:id's status description names the command", async () => {
    expect((await api(ids.command)).body.build.description).toBe("Failed in BUILD: npm test (exit status 1) after 1m05s");
  });

  it("shows the cause under the build page's header", async () => {
    const html = (await operator.get(`/builds/${ids.command}`)).text;
    expect(html).toContain('<p class="lead" data-field="description">Failed in BUILD: npm test (exit status 1) after 1m05s</p>');
    expect(html).toContain('<p class="cause" data-field="failure">Cause in <strong>BUILD</strong>: <code class="command">npm test</code> (exit status 1)</p>');
    const source = (await operator.get(`/builds/${ids.source}`)).text;
    expect(source).toContain("Cause in <strong>DOWNLOAD_SOURCE</strong>: repository not found for primary source and source version main</p>");
    expect((await operator.get(`/builds/${ids.succeeded}`)).text).not.toContain('class="cause"');
  });

  it("shows each recent failure's cause on the dashboard, and escapes a hostile command everywhere", async () => {
    const dashboard = (await operator.get("/")).text;
    const failures = dashboard.slice(dashboard.indexOf('id="failures"'));
    expect(failures).toContain('<code class="command">npm test</code>');
    for (const html of [dashboard, (await operator.get(`/builds/${ids.hostile}`)).text]) {
      expect(html).not.toContain("<script>alert(1)");
      expect(html).toContain("&lt;/code&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    }
    const api = await request(gate.app).get("/api/dashboard").set("authorization", `Bearer ${API_TOKEN}`);
    expect(api.body.failures.find((b: { id: number }) => b.id === ids.command)?.failure).toEqual({ phase: "BUILD", command: "npm test", reason: "exit status 1" });
  });
});
