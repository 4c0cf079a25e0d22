import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createLogger } from "../../src/logger.js";
import { parseConfig } from "../../src/config/load-config.js";
import type { StartRequest } from "../../src/domain/builder.js";
import { startBuildgate, type Buildgate } from "../../src/main.js";
import { STORE_JOBS } from "../../src/pipeline/job-kinds.js";
import { openStore } from "../../src/store/open-store.js";
import { RecordingBuilder } from "../fakes/recording-builder.js";
import { pushExample } from "../helpers/github-examples.js";
import { signGithub } from "../helpers/sign.js";
import { SECRET } from "../helpers/test-gate.js";
import { until } from "../helpers/until.js";

/** A builder whose StartBuild answers only when the test says so. */
class SlowBuilder extends RecordingBuilder {
  private open!: () => void;
  private readonly answer = new Promise<void>((resolve) => (this.open = resolve));
  calls = 0;
  override async start(request: StartRequest) {
    this.calls++;
    await this.answer;
    return super.start(request);
  }
  answerNow(): void {
    this.open();
  }
}

interface LogLine {
  readonly msg: string;
  readonly jobKind?: string;
  readonly deliveryId?: string;
  readonly buildId?: number;
  readonly [key: string]: unknown;
}

describe("graceful shutdown of the whole process (startBuildgate → close)", () => {
  let dir: string;
  let gate: Buildgate | undefined;
  let lines: LogLine[];
  /** The raw text of every line: JSON.parse keeps the last of two equal keys, this keeps both. */
  let raw: string[];
  let builder: SlowBuilder;
  const storeUrl = () => `sqlite:${join(dir, "bg.db")}`;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-shutdown-"));
    lines = [];
    raw = [];
    builder = new SlowBuilder();
  });
  afterEach(async () => {
    builder.answerNow();
    await gate?.close();
    gate = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(drainSeconds: number): Promise<Buildgate> {
    const yaml = `
server: { host: 127.0.0.1, port: 0 }
store: { url: "${storeUrl()}" }
github: { webhookSecrets: ["${SECRET}"] }
jobs: { drainSeconds: ${drainSeconds} }
routes:
  - { name: hello, source: { github: "Codertocat/Hello-World" }, on: [push], project: hello-ci }
`;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString("utf8").split("\n")) {
          if (!line.trim()) continue;
          raw.push(line);
          lines.push(JSON.parse(line) as LogLine);
        }
        done();
      },
    });
    gate = await startBuildgate({ config: parseConfig(yaml, {}), log: createLogger("debug", sink), builder });
    return gate;
  }

  async function deliver(g: Buildgate, deliveryId: string): Promise<number> {
    const body = JSON.stringify(pushExample());
    const res = await fetch(`${g.url}/webhooks/github`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": deliveryId, "x-hub-signature-256": signGithub(SECRET, body) },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** The builds' states and the jobs by state, read by a store of its own once the process closed. */
  async function inspect(): Promise<{ builds: string[]; jobs: Record<string, number> }> {
    const store = await openStore({ url: storeUrl(), maxAttempts: 3, jobs: STORE_JOBS });
    try {
      return { builds: (await store.listBuilds({})).map((b) => b.state), jobs: await store.jobs.countByState() };
    } finally {
      await store.close();
    }
  }

  it("waits for the job in flight to finish, then closes: the build started once", async () => {
    const g = await start(10);
    const deliveryId = randomUUID();
    expect(await deliver(g, deliveryId)).toBe(202);
    await until("StartBuild to be called", () => builder.calls === 1);

    const began = Date.now();
    const closing = g.close();
    setTimeout(() => builder.answerNow(), 300);
    await closing;
    gate = undefined;
    expect(Date.now() - began).toBeGreaterThanOrEqual(250);
    expect(Date.now() - began).toBeLessThan(5_000);

    const after = await inspect();
    expect(after.builds).toEqual(["queued"]);
    expect(after.jobs.running).toBeUndefined();
    expect(builder.starts).toHaveLength(1);
    expect(lines.some((l) => l.msg === "jobs still running at shutdown were released to the queue")).toBe(false);

    // Every line of the delivery's and the build's jobs names them.
    const jobLines = lines.filter((l) => l.jobKind === "process_delivery" || l.jobKind === "start_build" || l.jobKind === "report_status");
    expect(jobLines.some((l) => l.msg === "build started")).toBe(true);
    for (const line of jobLines) expect({ msg: line.msg, deliveryId: line.deliveryId }).toEqual({ msg: line.msg, deliveryId });
    for (const line of jobLines.filter((l) => l.jobKind !== "process_delivery")) expect(line.buildId).toBe(1);
    // …once: no line carries the same key twice (a handler repeating what the runner binds).
    for (const line of raw) expect({ line, buildIds: line.match(/"buildId":/g)?.length ?? 0 }).toEqual({ line, buildIds: Math.min(1, line.match(/"buildId":/g)?.length ?? 0) });
  });

  it("releases a job that does not finish within jobs.drainSeconds to the queue, without counting the attempt", async () => {
    const g = await start(0.5);
    expect(await deliver(g, randomUUID())).toBe(202);
    await until("StartBuild to be called", () => builder.calls === 1);

    const began = Date.now();
    await g.close();
    gate = undefined;
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(lines.find((l) => l.msg === "jobs still running at shutdown were released to the queue")).toMatchObject({ released: 1, unfinished: 1 });

    const store = await openStore({ url: storeUrl(), maxAttempts: 3, jobs: STORE_JOBS });
    try {
      const [build] = await store.listBuilds({});
      expect(build?.state).toBe("pending");
      const [job] = await store.jobs.claim("next-process", Date.now(), 1_000, 10).then((jobs) => jobs.filter((j) => j.kind === "start_build"));
      expect(job).toMatchObject({ kind: "start_build", attempts: 1 });
    } finally {
      await store.close();
    }
  });
});
