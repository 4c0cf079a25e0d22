import request from "supertest";
import { BUILD_STATES } from "../../src/domain/build-state.js";
import { exampleOf, pushExample } from "../helpers/github-examples.js";
import { createTestGate, deliverSigned, type TestGate } from "../helpers/test-gate.js";
import { API_TOKEN, boardYaml, hashBoardUsers, OPERATOR, seedBuild, signedIn, type BoardClient } from "../helpers/board-gate.js";

/**
 * Issue 13, "the live board must be true": filters take what the pages show, a delivery that
 * matched nothing says so, statuses that were only logged say so, PR cards carry the title and
 * author, times are relative with the absolute time on hover.
 */
describe("board: filters, outcomes and cards as the pages show them", () => {
  let gate: TestGate;
  let client: BoardClient;
  const ids: Record<string, number> = {};
  const rowsOf = (html: string) => [...html.matchAll(/<tr data-build-id="(\d+)">/g)].map((m) => Number(m[1]));
  const api = (path: string) => request(gate.app).get(path).set("authorization", `Bearer ${API_TOKEN}`).set("accept", "application/json");

  async function deliver(event: string, payload: unknown): Promise<string> {
    const { res, deliveryId } = await deliverSigned(gate, event, payload);
    expect(res.status).toBe(202);
    return deliveryId;
  }

  beforeAll(async () => {
    const hashes = await hashBoardUsers();
    gate = await createTestGate({ yaml: boardYaml(hashes) });
    gate.runner.start();
    const now = Date.now();
    ids.main = (await seedBuild(gate.store, { ref: "refs/heads/main", now: now - 3 * 60_000 })).buildId;
    ids.tag = (await seedBuild(gate.store, { ref: "refs/tags/main", now })).buildId;
    ids.dev = (await seedBuild(gate.store, { ref: "refs/heads/dev", state: "failed", now })).buildId;
    ids.other = (await seedBuild(gate.store, { ref: "refs/heads/main", repository: "acme/other", now })).buildId;
    ids.pr = (await seedBuild(gate.store, { ref: "refs/heads/main", pullRequest: 12, now })).buildId;
    // Through the real intake: a pull request (title and author are stored at routing time) ...
    const pr = exampleOf("pull_request", (e) => e.action === "opened");
    const p = pr.pull_request as Record<string, unknown> & { head: Record<string, unknown>; user: Record<string, unknown> };
    p.title = "Make the board tell the truth";
    p.author_association = "OWNER";
    p.head.sha = "3".repeat(40);
    p.user.login = "hubot-author";
    await deliver("pull_request", pr);
    ids.prNumber = Number(pr.number);
    // ... and a push of another repository: no route matches it.
    const foreign = pushExample({ after: "4".repeat(40) });
    (foreign.repository as Record<string, unknown>).full_name = "someone/else";
    const deliveryId = await deliver("push", foreign);
    ids.unmatched = (await gate.store.findDeliveries(deliveryId))[0]!.id;
    const routed = pushExample({ after: "5".repeat(40), ref: "refs/heads/master" });
    ids.routed = (await gate.store.findDeliveries(await deliver("push", routed)))[0]!.id;
    client = await signedIn(gate.app, OPERATOR);
  });
  afterAll(async () => {
    await gate.close();
  });

  describe("/builds?ref=", () => {
    it.each([
      ["main", ["tag", "main"]],
      // As stored: the pull request into main (ref is its base) is a build on refs/heads/main too.
      ["refs/heads/main", ["pr", "main"]],
      ["refs/tags/main", ["tag"]],
      ["dev", ["dev"]],
    ])("ref=%s finds the branch and the tag of that name as the lane shows it", async (ref, want) => {
      const res = await client.get(`/builds?repository=Codertocat%2FHello-World&ref=${encodeURIComponent(ref)}`);
      expect(res.status).toBe(200);
      const seeded = rowsOf(res.text).filter((id) => Object.values(ids).includes(id));
      expect(seeded).toEqual(want.map((k) => ids[k]));
    });

    it("ref=#12 is pull request 12", async () => {
      const res = await client.get(`/builds?ref=${encodeURIComponent("#12")}`);
      expect(rowsOf(res.text)).toEqual([ids.pr]);
      expect(res.text).toContain('value="#12"');
    });

    it("keeps a lane filter on the next page's link", async () => {
      for (let i = 0; i < 51; i++) await seedBuild(gate.store, { ref: "refs/heads/paged" });
      const res = await client.get("/builds?ref=paged");
      expect(rowsOf(res.text)).toHaveLength(50);
      expect(res.text).toMatch(/href="\/builds\?ref=paged&amp;before=\d+"/);
    });
  });

  it("compares repository names case-insensitively, on the page and in the API", async () => {
    const lower = rowsOf((await client.get("/builds?repository=codertocat%2Fhello-world&ref=main")).text);
    const upper = rowsOf((await client.get("/builds?repository=CODERTOCAT%2FHELLO-WORLD&ref=main")).text);
    expect(lower).toEqual([ids.tag, ids.main]);
    expect(upper).toEqual(lower);
    expect(rowsOf((await client.get("/builds?repository=ACME%2FOther")).text)).toEqual([ids.other]);
    const json = await api("/api/builds?repository=ACME%2FOTHER");
    expect(json.status).toBe(200);
    expect(json.body.builds.map((b: { id: number }) => b.id)).toEqual([ids.other]);
    expect((await api(`/api/builds?ref=${encodeURIComponent("#12")}`)).body.builds.map((b: { id: number }) => b.id)).toEqual([ids.pr]);
  });

  it("answers an unknown state with a 400 that lists the valid ones: a page for the page, JSON for the API", async () => {
    const page = await client.get("/builds?state=finished", { accept: "text/html" });
    expect(page.status).toBe(400);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.text).toContain(`unknown state &#34;finished&#34;: the valid states are ${BUILD_STATES.join(", ")}`);
    const json = await api("/api/builds?state=finished");
    expect(json.status).toBe(400);
    expect(json.body).toEqual({ error: `unknown state "finished": the valid states are ${BUILD_STATES.join(", ")}` });
    expect((await client.get("/builds?state=failed")).status).toBe(200);
  });

  it("a delivery that matched no route reads 'no route matched', on the list, its page and in the API", async () => {
    // The page of the list that starts with that delivery (other tests add deliveries).
    const row = async (id: number) => new RegExp(`<a class="id" href="/deliveries/${id}">[^<]*</a></td><td><span class="outcome outcome-([a-z]+)">([^<]+)</span>`).exec((await client.get(`/deliveries?before=${id + 1}`)).text)?.slice(1);
    expect(await row(ids.unmatched!)).toEqual(["unmatched", "no route matched"]);
    expect(await row(ids.routed!)).toEqual(["routed", "routed"]);
    const page = (await client.get(`/deliveries/${ids.unmatched}`)).text;
    expect(page).toContain('<span class="outcome outcome-unmatched">no route matched</span>');
    expect(page).not.toContain("outcome-routed");
    expect((await api(`/api/deliveries/${ids.unmatched}`)).body.delivery).toMatchObject({ status: "routed", outcome: "unmatched" });
    const explained = await api(`/api/deliveries/${encodeURIComponent((await gate.store.getDelivery(ids.unmatched!))!.delivery_id)}/explain`);
    expect(explained.body.deliveries[0]).toMatchObject({ status: "routed", outcome: "no route matched" });
  });

  it("the statuses table says a status was only logged when github.auth is not configured", async () => {
    const [build] = (await gate.store.listBuildsPage({ pullRequest: ids.prNumber, limit: 10 })).filter((b) => b.route === "hello");
    expect(build).toBeDefined();
    const reports = await gate.store.statusReportsOf(build!.id);
    expect(reports.length).toBeGreaterThan(0);
    const html = (await client.get(`/builds/${build!.id}`)).text;
    expect(html).toContain("logged (no GitHub credentials)");
    expect(html).not.toMatch(/<td>\d+<\/td><td class="error-text">/);
  });

  it("cards and rows show the pull request's title and author, stored at routing time", async () => {
    const builds = await gate.store.listBuildsPage({ pullRequest: ids.prNumber, limit: 10 });
    expect(builds.length).toBeGreaterThan(0);
    for (const b of builds) expect(JSON.parse(b.trigger!)).toMatchObject({ title: "Make the board tell the truth", author: "hubot-author" });
    const dashboard = (await client.get("/")).text;
    const card = new RegExp(`<article class="lane" data-lane-key="[^"]*pr#${ids.prNumber}[^"]*">[\\s\\S]*?</article>`).exec(dashboard)?.[0];
    expect(card).toBeDefined();
    expect(card).toContain(`<span class="lane-name">#${ids.prNumber}</span>`);
    expect(card).toContain('<span class="pr-title" data-field="title">Make the board tell the truth</span>');
    expect(card).toContain('by <span data-field="author">hubot-author</span>');
    expect(card).toContain(`href="/builds?repository=Codertocat%2FHello-World&amp;ref=%23${ids.prNumber}"`);
    // The card's link is a filter the builds page takes.
    expect(rowsOf((await client.get(`/builds?repository=Codertocat%2FHello-World&ref=%23${ids.prNumber}`)).text).sort()).toEqual(builds.map((b) => b.id).sort());
    const api = (await client.get(`/api/builds/${builds[0]!.id}`)).body.build;
    expect(api).toMatchObject({ title: "Make the board tell the truth", author: "hubot-author", builder: "codebuild" });
  });

  it("times are relative, with the absolute time on hover", async () => {
    const html = (await client.get(`/builds?ref=refs%2Fheads%2Fmain&repository=codertocat%2Fhello-world`)).text;
    const row = new RegExp(`<tr data-build-id="${ids.main}">[\\s\\S]*?</tr>`).exec(html)?.[0];
    expect(row).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z" data-relative title="\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC">3 min ago<\/time>/);
    expect(html).toContain('<script src="/static/relative-time.js" defer></script>');
    expect((await client.get("/static/relative-time.js")).status).toBe(200);
  });
});
