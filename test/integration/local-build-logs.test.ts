import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLocalBuilder, type LocalBuilder } from "../../src/builders/local/local-builder.js";
import { createLocalLogSource } from "../../src/builders/local/local-log-source.js";
import type { BuildLogs } from "../../src/domain/build-logs.js";
import type { BuildState } from "../../src/domain/build-state.js";
import { createBuildLogs } from "../../src/logs/create-build-logs.js";
import { createLogCache } from "../../src/logs/log-cache.js";
import type { BuildRow } from "../../src/store/store.js";
import { finished, request, tempDir } from "./local-runner-helpers.js";

const spec = (...commands: string[]) => `version: 0.2\nphases:\n  build:\n    commands:\n${commands.map((c) => `      - ${JSON.stringify(c)}`).join("\n")}\n`;
// Prints a line, waits for the file named by $GATE, prints another and fails.
const GATED = spec("echo 'before the gate <script>alert(1)</script>'", 'while [ ! -e "$GATE" ]; do sleep 0.02; done', "echo after the gate", "printf 'no newline at the end'", "exit 3");

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The local runner's own build.log through the real LogSource and the shared-tail service.
describe("build logs of the local runner", () => {
  let workDir: string;
  let builder: LocalBuilder;
  let row: { id: number; state: BuildState; external_id: string | null; ended_at: number | null };
  let logs: BuildLogs;

  beforeEach(() => {
    workDir = tempDir("local-logs");
    builder = createLocalBuilder({ workDir, sources: () => undefined, buildspec: () => GATED });
    row = { id: 7, state: "queued", external_id: null, ended_at: null };
    const limits = { maxBytes: 1024 * 1024, maxLineChars: 10_000 };
    logs = createBuildLogs({ store: { getBuild: async (id) => (id === row.id ? (row as unknown as BuildRow) : undefined) }, sourceFor: () => createLocalLogSource(workDir), cache: createLogCache(join(workDir, "cache"), limits, 10 * 1024 * 1024), limits, pollMs: 50 });
  });
  afterEach(async () => {
    await builder.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("shows the lines of a running build as they are written, then the whole log once it ended", async () => {
    expect((await logs.after(row.id, 0, 100)).notice?.message).toBe("no log yet: the build has not started");
    const gate = join(workDir, "gate");
    const { buildId } = await builder.start(request({ env: { GATE: gate } }));
    row = { ...row, state: "running", external_id: buildId };

    let cursor = 0;
    const seen: string[] = [];
    await waitUntil(async () => {
      const s = await logs.after(row.id, cursor, 100);
      expect(s.complete).toBe(false);
      for (const l of s.lines) seen.push(l.text);
      cursor = s.lines.at(-1)?.n ?? cursor;
      return seen.includes("before the gate <script>alert(1)</script>");
    });
    expect(seen).not.toContain("after the gate");
    expect(seen.filter((l) => l.includes("Entering phase BUILD"))).toHaveLength(1);

    writeFileSync(gate, "");
    await waitUntil(async () => {
      const s = await logs.after(row.id, cursor, 100);
      for (const l of s.lines) seen.push(l.text);
      cursor = s.lines.at(-1)?.n ?? cursor;
      return seen.includes("after the gate");
    });
    const snap = await finished(builder, buildId);
    expect(snap.status).toBe("FAILED");
    row = { ...row, state: "failed", ended_at: Date.now() };

    const all = await logs.after(row.id, 0, 1000);
    expect(all.complete).toBe(true);
    expect(all.lines.map((l) => l.n)).toEqual(Array.from({ length: all.total }, (_, i) => i + 1));
    const texts = all.lines.map((l) => l.text);
    expect(texts.slice(0, seen.length)).toEqual(seen);
    expect(texts.some((t) => t.startsWith("no newline at the end"))).toBe(true);
    expect(texts.at(-1)).toMatch(/Build ended: FAILED$/);
    let raw = "";
    for await (const chunk of (await logs.raw(row.id)) ?? []) raw += chunk.toString();
    expect(raw).toBe(`${texts.join("\n")}\n`);
  });
});
