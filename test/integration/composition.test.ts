import { randomUUID } from "node:crypto";
import { createServer, get, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import request from "supertest";
import { boardYaml, jobsOf } from "../helpers/board-gate.js";
import { pushExample } from "../helpers/github-examples.js";
import { signGithub } from "../helpers/sign.js";
import { createTestGate, SECRET, type TestGate } from "../helpers/test-gate.js";
import { until } from "../helpers/until.js";

const DAY = 86_400_000;
// Above Linux's largest pid (2^22): a holder that cannot be alive.
const DEAD_HOLDER = `${hostname()}:4194305:dead`;

/** A signed push of commit `sha` to master. */
function push(gate: TestGate, sha: string) {
  const body = JSON.stringify(pushExample({ after: sha }));
  return request(gate.app).post("/webhooks/github").set("content-type", "application/json").set("x-github-event", "push").set("x-github-delivery", randomUUID()).set("x-hub-signature-256", signGithub(SECRET, body)).send(body);
}

const singletons = (gate: TestGate) =>
  jobsOf(gate)
    .filter((j) => j.state === "queued" || j.state === "running")
    .map((j) => j.kind)
    .filter((k) => k === "track_builds" || k === "sweep_stuck")
    .sort();

describe("the composed application (src/compose) that startBuildgate runs", () => {
  let gate: TestGate | undefined;
  afterEach(async () => {
    await gate?.close();
    gate = undefined;
  });

  it("start() releases the leases of a dead process on this host, ensures the tracker and the sweep, and runs jobs", async () => {
    gate = await createTestGate();
    const now = Date.now();
    const id = await gate.store.jobs.enqueue({ kind: "poll_builds", payload: { externalIds: ["hello-ci:unknown"] }, dedupeKey: "orphan" }, now);
    const [claimed] = await gate.store.jobs.claim(DEAD_HOLDER, now, 3_600_000, 10);
    expect(claimed?.id).toBe(id);

    await gate.start();
    await until("the orphaned job to run", () => jobsOf(gate!).find((j) => j.id === id)?.state === "done");
    expect(singletons(gate)).toEqual(["sweep_stuck", "track_builds"]);
  });

  it("a webhook wakes the runner: delivery → build started, with the whole start() in place", async () => {
    gate = await createTestGate();
    await gate.start();
    expect((await push(gate, "e".repeat(40))).status).toBe(202);
    await until("StartBuild", () => gate!.builder.starts.length === 1);
  });

  it("every stored delivery counts towards the intake pressure the runner yields to", async () => {
    gate = await createTestGate({ intakePressure: { utilization: () => ({ idle: 0, active: 100, utilization: 1 }) } });
    const deliver = (n: number) => push(gate!, n.toString(16).padStart(40, "0"));
    for (let n = 1; n <= 4; n++) expect((await deliver(n)).status).toBe(202);
    gate.pressure.sample();
    expect(gate.pressure.high()).toBe(false); // a busy loop with few deliveries is the runner's own work
    for (let n = 5; n <= 9; n++) expect((await deliver(n)).status).toBe(202);
    gate.pressure.sample();
    expect(gate.pressure.high()).toBe(true);
  });

  it("the watchdog re-creates a dead tracker, prunes expired sessions and finished jobs past jobs.keepFinishedDays", async () => {
    let clock = Date.now();
    gate = await createTestGate({ now: () => clock });
    const { store } = gate;
    const done = await store.jobs.enqueue({ kind: "report_status", payload: { buildId: 1 }, dedupeKey: "old" }, clock);
    const dead = await store.jobs.enqueue({ kind: "track_builds", payload: {}, dedupeKey: "tracker" }, clock);
    for (const j of await store.jobs.claim("w:1:a", clock, 60_000, 10)) {
      if (j.id === done) await store.jobs.complete(j.id, "w:1:a", clock);
      else await store.jobs.bury(j.id, "w:1:a", "boom", clock);
    }
    await store.setSession("expired", "{}", clock + 1_000);
    await store.setSession("live", "{}", clock + 30 * DAY);

    clock += 8 * DAY;
    await gate.watchdog.tick();
    const jobs = jobsOf(gate);
    expect(jobs.find((j) => j.id === done)).toBeUndefined();
    expect(jobs.find((j) => j.id === dead)?.state).toBe("dead"); // dead letters stay
    expect(singletons(gate)).toEqual(["sweep_stuck", "track_builds"]);
    expect(await store.getSession("expired", clock - 8 * DAY)).toBeUndefined();
    expect(await store.getSession("live", clock)).toBe("{}");
  });

  it("close() ends the board's live-update streams (no hidden app.locals hook)", async () => {
    gate = await createTestGate({ yaml: boardYaml(undefined, { board: false, host: "127.0.0.1", apiToken: null }) });
    const server: Server = createServer(gate.app).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      let opened: () => void = () => undefined;
      const open = new Promise<void>((resolve) => (opened = resolve));
      const ended = new Promise<number>((resolve, reject) => {
        get({ host: "127.0.0.1", port, path: "/events" }, (res) => {
          opened();
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        }).on("error", reject);
      });
      await open;
      await gate.close();
      gate = undefined;
      expect(await ended).toBe(200);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
