import type { AddressInfo } from "node:net";
import { get as httpGet, type IncomingMessage, type Server } from "node:http";
import request from "supertest";
import { createTestGate, type TestGate } from "../helpers/test-gate.js";
import { API_TOKEN, BoardClient, locationOf, boardYaml, hashBoardUsers, jobsOf, OPERATOR, seedBuild, seedDeadJob, sideEffects, signedIn, VIEWER, type BoardHashes } from "../helpers/board-gate.js";

/** The status and headers of a streaming response, without waiting for its end. */
async function peek(app: TestGate["app"], path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  try {
    const { port } = server.address() as AddressInfo;
    const res: IncomingMessage = await new Promise((resolve, reject) => httpGet({ host: "127.0.0.1", port, path, headers }, resolve).on("error", reject));
    const body = await new Promise<string>((resolve) => {
      let text = "";
      const done = () => {
        res.destroy();
        resolve(text);
      };
      const timer = setTimeout(done, 300);
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    return { status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body };
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

let hashes: BoardHashes;
beforeAll(async () => {
  hashes = await hashBoardUsers();
});

describe("board access: anonymous, viewer, operator, API token", () => {
  let gate: TestGate;
  let seeded: { deliveryRowId: number; buildId: number; running: number; deadJob: number; deliveryId: string };
  let pages: string[];
  let apis: string[];
  let operator: BoardClient;
  let viewer: BoardClient;

  beforeAll(async () => {
    gate = await createTestGate({ yaml: boardYaml(hashes, { publicUrl: "http://board.test" }) });
    const deadJob = await seedDeadJob(gate.store);
    const first = await seedBuild(gate.store, { state: "succeeded", deliveryId: "delivery-one" });
    const running = await seedBuild(gate.store, { state: "running", phase: "BUILD", externalId: "hello-ci:abc" });
    seeded = { ...first, running: running.buildId, deadJob, deliveryId: "delivery-one" };
    pages = ["/", "/builds", `/builds/${first.buildId}`, "/deliveries", `/deliveries/${first.deliveryRowId}`, "/dead-letters", "/builds?state=failed&route=hello", "/deliveries?source=github"];
    apis = ["/api/dashboard", "/api/builds", `/api/builds/${first.buildId}`, "/api/deliveries", `/api/deliveries/${first.deliveryRowId}`, `/api/deliveries/${seeded.deliveryId}/explain`, "/api/dead-letters"];
    operator = await signedIn(gate.app, OPERATOR);
    viewer = await signedIn(gate.app, VIEWER);
  });
  afterAll(async () => {
    await gate.close();
  });

  it("sends anonymous visitors of every page to sign in, with where they were going", async () => {
    for (const path of pages) {
      const res = await request(gate.app).get(path).redirects(0);
      expect({ path, status: res.status }).toEqual({ path, status: 303 });
      expect(res.headers.location).toBe(`/login?returnTo=${encodeURIComponent(path)}`);
    }
  });

  it("answers anonymous API and live-update requests with 401 JSON, not a redirect", async () => {
    for (const path of apis) {
      const res = await request(gate.app).get(path).redirects(0);
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(res.type).toBe("application/json");
      expect(res.headers["www-authenticate"]).toBe("Bearer");
      expect(res.body.error).toMatch(/sign in/);
    }
    const events = await peek(gate.app, "/events", { accept: "text/event-stream" });
    expect(events.status).toBe(401);
    expect(events.type).toMatch(/application\/json/);
    // A wrong bearer token is no better than none.
    expect((await request(gate.app).get("/api/builds").set("authorization", `Bearer ${API_TOKEN.replace(/.$/, "x")}`)).status).toBe(401);
    expect((await request(gate.app).get("/api/builds").set("authorization", `Basic ${Buffer.from(`x:${API_TOKEN}`).toString("base64")}`)).status).toBe(401);
  });

  it("anonymous POSTs to actions are sent to sign in and change nothing", async () => {
    const before = await sideEffects(gate);
    for (const path of [`/builds/${seeded.buildId}/rebuild`, `/builds/${seeded.running}/stop`, `/deliveries/${seeded.deliveryRowId}/replay`, `/dead-letters/${seeded.deadJob}/retry`]) {
      const res = await request(gate.app).post(path).type("form").send({ _csrf: "x" }).redirects(0);
      expect([401, 303]).toContain(res.status);
      if (res.status === 303) expect(res.headers.location).toMatch(/^\/login\?returnTo=/);
    }
    expect(await sideEffects(gate)).toEqual(before);
  });

  it("lets a viewer GET every page and the API, without operator buttons", async () => {
    for (const path of pages) {
      const res = await viewer.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.type).toBe("text/html");
      expect(res.text).toContain(`${VIEWER.username} · viewer`);
      expect(res.text).not.toMatch(/<button>(Rebuild|Replay|Retry)<\/button>/);
    }
    for (const path of apis) expect({ path, status: (await viewer.get(path)).status }).toEqual({ path, status: 200 });
    const events = await peek(gate.app, "/events", { cookie: viewer.cookieHeader(), accept: "text/event-stream" });
    expect(events.status).toBe(200);
    expect(events.type).toBe("text/event-stream");
    expect(events.body).toContain("retry: 3000");
  });

  it("shows an operator the action buttons", async () => {
    expect((await operator.get(`/builds/${seeded.running}`)).text).toMatch(/<button>Rebuild<\/button>[\s\S]*<button class="danger">Stop<\/button>/);
    expect((await operator.get(`/deliveries/${seeded.deliveryRowId}`)).text).toContain("<button>Replay</button>");
    expect((await operator.get("/dead-letters")).text).toContain("<button>Retry</button>");
  });

  it("refuses every action to a viewer (403) even with a valid CSRF token, with no side effect", async () => {
    const token = await viewer.csrf("/");
    const before = await sideEffects(gate);
    for (const path of [`/builds/${seeded.buildId}/rebuild`, `/builds/${seeded.running}/stop`, `/deliveries/${seeded.deliveryRowId}/replay`, `/dead-letters/${seeded.deadJob}/retry`]) {
      const res = await viewer.post(path, { _csrf: token });
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(res.text).toContain("operators only");
    }
    expect(await sideEffects(gate)).toEqual(before);
  });

  it("an API token admits /api as a viewer, but not actions", async () => {
    for (const path of apis) {
      const res = await request(gate.app).get(path).set("authorization", `Bearer ${API_TOKEN}`);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
    const before = await sideEffects(gate);
    const res = await request(gate.app).post(`/builds/${seeded.buildId}/rebuild`).set("authorization", `Bearer ${API_TOKEN}`).set("accept", "application/json").type("form").send({});
    expect(res.status).toBe(403);
    expect(await sideEffects(gate)).toEqual(before);
  });

  describe("operator actions do what they say", () => {
    it("rebuild: a new build of the same commit and route, and a start job for it", async () => {
      const token = await operator.csrf(`/builds/${seeded.buildId}`);
      const builds = (await gate.store.listBuilds({})).length;
      const res = await operator.post(`/builds/${seeded.buildId}/rebuild`, { _csrf: token });
      expect(res.status).toBe(303);
      const newId = Number(/^\/builds\/(\d+)$/.exec(locationOf(res))?.[1]);
      expect(newId).toBeGreaterThan(seeded.running);
      expect((await gate.store.listBuilds({})).length).toBe(builds + 1);
      const [old, rebuilt] = [await gate.store.getBuild(seeded.buildId), await gate.store.getBuild(newId)];
      expect(rebuilt).toMatchObject({ route: old!.route, sha: old!.sha, repository: old!.repository, state: "pending" });
      expect(JSON.parse(rebuilt!.trigger!)).toEqual({ rebuildOf: seeded.buildId, actor: OPERATOR.username });
      expect(jobsOf(gate).filter((j) => j.kind === "start_build" && j.payload.buildId === newId && j.state === "queued")).toHaveLength(1);
      const page = await operator.get(locationOf(res));
      expect(page.status).toBe(200);
      expect(page.text).toContain(`rebuild of <a href="/builds/${seeded.buildId}">`);
    });

    it("stop: a stop job for a running build; 409 for one that is not running", async () => {
      const token = await operator.csrf(`/builds/${seeded.running}`);
      const res = await operator.post(`/builds/${seeded.running}/stop`, { _csrf: token });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/builds/${seeded.running}`);
      expect(jobsOf(gate).filter((j) => j.kind === "stop_build" && j.payload.buildId === seeded.running)).toHaveLength(1);
      const before = await sideEffects(gate);
      expect((await operator.post(`/builds/${seeded.buildId}/stop`, { _csrf: token })).status).toBe(409);
      expect(await sideEffects(gate)).toEqual(before);
    });

    it("replay: a new delivery row with a process job", async () => {
      const token = await operator.csrf(`/deliveries/${seeded.deliveryRowId}`);
      const deliveries = (await gate.store.listDeliveriesPage({ limit: 1000 })).length;
      const res = await operator.post(`/deliveries/${seeded.deliveryRowId}/replay`, { _csrf: token });
      expect(res.status).toBe(303);
      const newId = Number(/^\/deliveries\/(\d+)$/.exec(locationOf(res))?.[1]);
      expect(newId).toBeGreaterThan(seeded.deliveryRowId);
      expect((await gate.store.listDeliveriesPage({ limit: 1000 })).length).toBe(deliveries + 1);
      const replayed = await gate.store.getDelivery(newId);
      expect(replayed).toMatchObject({ status: "received", delivery_id: expect.stringMatching(/^delivery-one#replay-\d+$/) });
      expect(jobsOf(gate).filter((j) => j.kind === "process_delivery" && j.payload.deliveryRowId === newId && j.state === "queued")).toHaveLength(1);
    });

    it("retry: the dead job is queued again with fresh attempts; 409 when it is not dead", async () => {
      const token = await operator.csrf("/dead-letters");
      expect(jobsOf(gate).find((j) => j.id === seeded.deadJob)?.state).toBe("dead");
      const res = await operator.post(`/dead-letters/${seeded.deadJob}/retry`, { _csrf: token });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe("/dead-letters");
      expect(jobsOf(gate).find((j) => j.id === seeded.deadJob)).toMatchObject({ state: "queued", attempts: 0 });
      expect((await operator.post(`/dead-letters/${seeded.deadJob}/retry`, { _csrf: token })).status).toBe(409);
    });

    it("unknown ids are 404, not 500", async () => {
      const token = await operator.csrf("/");
      for (const path of ["/builds/999999/rebuild", "/deliveries/999999/replay", "/builds/abc/rebuild", "/builds/0/stop"]) {
        expect({ path, status: (await operator.post(path, { _csrf: token })).status }).toEqual({ path, status: 404 });
      }
      for (const path of ["/builds/999999", "/builds/x", "/deliveries/999999", "/api/builds/999999"]) {
        expect({ path, status: (await operator.get(path)).status }).toEqual({ path, status: 404 });
      }
    });
  });
});

describe("board auth none: local development on loopback", () => {
  let gate: TestGate;
  beforeAll(async () => {
    gate = await createTestGate({ yaml: boardYaml(undefined, { board: false, host: "127.0.0.1", apiToken: null }) });
  });
  afterAll(async () => {
    await gate.close();
  });

  it("serves the board without sign-in: every visitor is the operator 'local', with a warning banner", async () => {
    const { buildId } = await seedBuild(gate.store, { state: "failed" });
    const client = new BoardClient(gate.app);
    for (const path of ["/", "/builds", `/builds/${buildId}`, "/deliveries", "/dead-letters", "/api/builds"]) {
      expect({ path, status: (await client.get(path)).status }).toEqual({ path, status: 200 });
    }
    const home = await client.get("/");
    expect(home.text).toContain("local · operator");
    expect(home.text).toMatch(/Board sign-in is off/);
    expect(home.text).not.toContain("Sign out");
    expect((await client.get("/login")).headers.location).toBe("/");
    // Actions still need the CSRF token.
    const before = await sideEffects(gate);
    expect((await client.post(`/builds/${buildId}/rebuild`, {})).status).toBe(403);
    expect(await sideEffects(gate)).toEqual(before);
    const token = await client.csrf(`/builds/${buildId}`);
    const res = await client.post(`/builds/${buildId}/rebuild`, { _csrf: token });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/builds\/\d+$/);
  });

  it("is not served at all on other interfaces without a board section", async () => {
    const other = await createTestGate({ yaml: boardYaml(undefined, { board: false, host: "0.0.0.0", apiToken: null }) });
    try {
      expect((await request(other.app).get("/")).status).toBe(404);
      expect((await request(other.app).get("/builds")).status).toBe(404);
    } finally {
      await other.close();
    }
  });
});

describe("badges", () => {
  let gate: TestGate;
  let privateGate: TestGate;
  beforeAll(async () => {
    gate = await createTestGate({ yaml: boardYaml(hashes) });
    privateGate = await createTestGate({ yaml: boardYaml(hashes, { publicBadges: false }) });
    for (const g of [gate, privateGate]) {
      await seedBuild(g.store, { route: "hello", ref: "refs/heads/main", state: "failed" });
      await seedBuild(g.store, { route: "hello", ref: "refs/heads/main", state: "succeeded" });
      await seedBuild(g.store, { route: "anything", ref: "refs/heads/main", state: "running" });
      await seedBuild(g.store, { route: "anything", ref: "refs/heads/dev", state: "failed" });
    }
  });
  afterAll(async () => {
    for (const g of [gate, privateGate]) {
      await g.close();
    }
  });

  const word = (svg: string) => /<title>[^<]*: (\w+)<\/title>/.exec(svg)?.[1];

  it("are public by default: an SVG with the state of the newest build on the branch", async () => {
    const cases: Array<[string, string]> = [
      ["/badges/hello.svg?branch=main", "passing"],
      ["/badges/hello.svg", "passing"],
      ["/badges/anything.svg?branch=main", "running"],
      ["/badges/anything.svg?branch=dev", "failing"],
      ["/badges/hello.svg?branch=nope", "unknown"],
      ["/badges/no-such-route.svg?branch=main", "unknown"],
    ];
    for (const [path, expected] of cases) {
      const res = await request(gate.app).get(path).buffer(true).parse((r, cb) => {
        let t = "";
        r.on("data", (d: Buffer) => (t += d.toString()));
        r.on("end", () => cb(null, t));
      });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers["content-type"]).toMatch(/^image\/svg\+xml/);
      expect({ path, word: word(res.body as string) }).toEqual({ path, word: expected });
    }
  });

  it("need sign-in when publicBadges is false", async () => {
    const res = await request(privateGate.app).get("/badges/hello.svg?branch=main").redirects(0);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/login?returnTo=${encodeURIComponent("/badges/hello.svg?branch=main")}`);
    const viewer = await signedIn(privateGate.app, VIEWER);
    const ok = await viewer.get("/badges/hello.svg?branch=main");
    expect(ok.status).toBe(200);
    expect(ok.headers["content-type"]).toMatch(/^image\/svg\+xml/);
    const api = await request(privateGate.app).get("/badges/hello.svg?branch=main").set("authorization", `Bearer ${API_TOKEN}`);
    expect(api.status).toBe(200);
  });
});
