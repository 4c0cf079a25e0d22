import { BUILD_STATES } from "../../src/domain/build-state.js";
import request from "supertest";
import { exampleOf, pushExample } from "../helpers/github-examples.js";
import { createTestGate, deliverSigned, type TestGate } from "../helpers/test-gate.js";
import { API_TOKEN, boardYaml, hashBoardUsers, OPERATOR, seedBuild, seedDeadJob, signedIn, type BoardClient, type BoardHashes } from "../helpers/board-gate.js";

let hashes: BoardHashes;
beforeAll(async () => {
  hashes = await hashBoardUsers();
});

const closeGate = async (gate: TestGate) => {
  await gate.close();
};

const XSS = {
  branch: "<svg/onload=alert(1)>",
  message: "<script>alert(1)</script>",
  title: `<img src=x onerror=alert("pr")>`,
  repository: `acme/"><iframe src='javascript:alert(2)'>`,
  deliveryId: `<script>alert("delivery")</script>`,
  actor: `"><b onmouseover=alert(3)>actor</b>`,
};
const SECRETS = ["hunter2-secret-value", "ghs_installationtokenvalue", "pw-value-1234", "ghp_personalaccesstoken", "sk-private-api-key"];

/** No markup from a payload survives as markup; no javascript: URL anywhere in an attribute. */
function expectInert(html: string) {
  expect(html).not.toContain("<script>alert");
  expect(html).not.toContain("<svg/onload");
  expect(html).not.toContain("<img src=x");
  expect(html).not.toContain("<iframe");
  expect(html).not.toContain("<b onmouseover");
  expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/(href|src|action|formaction)\s*=\s*["']?\s*javascript:/i);
  expect(html).not.toMatch(/(href|src|action)\s*=\s*["']?\s*(data|vbscript):/i);
  // Every link on a page is a same-site path or http(s).
  for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^(\/(?![/\\])|https?:\/\/|#)/);
}

describe("values from webhooks are rendered inert", () => {
  let gate: TestGate;
  let operator: BoardClient;
  const ids: { push?: number; pr?: number; pushDelivery?: number; seeded?: number; seededDelivery?: number } = {};

  async function deliver(event: string, payload: unknown): Promise<string> {
    const { res, deliveryId } = await deliverSigned(gate, event, payload);
    expect(res.status).toBe(202);
    return deliveryId;
  }

  beforeAll(async () => {
    gate = await createTestGate({ yaml: boardYaml(hashes) });
    gate.runner.start();
    await seedDeadJob(gate.store);
    // Through the real intake: a push to a hostile branch with a hostile message and secrets in the payload.
    const push = pushExample({ ref: `refs/heads/${XSS.branch}`, after: "1".repeat(40), message: XSS.message });
    Object.assign(push, { hook: { config: { secret: SECRETS[0] } }, installation: { id: 1, access_token: SECRETS[1] }, extra: { nested: [{ password: SECRETS[2], token: SECRETS[3] }], private_key: SECRETS[4] } });
    const pushDelivery = await deliver("push", push);
    // A pull request with a hostile title.
    const pr = exampleOf("pull_request", (e) => e.action === "opened");
    const p = pr.pull_request as Record<string, Record<string, unknown>>;
    p.title = XSS.title as unknown as Record<string, unknown>;
    p.author_association = "OWNER" as unknown as Record<string, unknown>;
    p.head!.sha = "2".repeat(40);
    p.head!.ref = XSS.branch;
    await deliver("pull_request", pr);
    const [pushRow] = await gate.store.findDeliveries(pushDelivery);
    const builds = await gate.store.listBuilds({});
    ids.pushDelivery = pushRow!.id;
    ids.push = builds.find((b) => b.sha === "1".repeat(40) && b.route === "anything")?.id;
    ids.pr = builds.find((b) => b.sha === "2".repeat(40) && b.route === "anything")?.id;
    if (!ids.push || !ids.pr) throw new Error(`intake did not build: ${JSON.stringify(builds.map((b) => [b.id, b.route, b.sha, b.ref]))}`);
    // The builder reported a logs URL that is not http(s).
    await gate.store.updateBuild(ids.push, BUILD_STATES, { logs_url: "javascript:alert(1)", state: "failed", error: XSS.message }, Date.now());
    await gate.store.updateBuild(ids.pr, BUILD_STATES, { logs_url: " JaVaScRiPt:alert(1)" }, Date.now());
    // Through the store: a hostile repository, delivery id and actor.
    const seeded = await seedBuild(gate.store, { repository: XSS.repository, deliveryId: XSS.deliveryId, state: "running", phase: "BUILD", ref: `refs/heads/${XSS.branch}`, logsUrl: "data:text/html,<script>alert(1)</script>", externalId: `hello-ci:"><script>` });
    ids.seeded = seeded.buildId;
    ids.seededDelivery = seeded.deliveryRowId;
    operator = await signedIn(gate.app, OPERATOR);
  });
  afterAll(() => closeGate(gate));

  it("escapes branch names, commit messages and titles on every page", async () => {
    const pages = ["/", "/builds", `/builds/${ids.push}`, `/builds/${ids.pr}`, `/builds/${ids.seeded}`, "/deliveries", `/deliveries/${ids.pushDelivery}`, `/deliveries/${ids.seededDelivery}`, "/dead-letters"];
    for (const path of pages) {
      const res = await operator.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expectInert(res.text);
    }
    const pushPage = (await operator.get(`/builds/${ids.push}`)).text;
    expect(pushPage).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(pushPage).toContain("&lt;svg/onload=alert(1)&gt;");
    const prPage = (await operator.get(`/builds/${ids.pr}`)).text;
    expect(prPage).toContain("&lt;img src=x onerror=alert(&#34;pr&#34;)&gt;");
    const seededPage = (await operator.get(`/builds/${ids.seeded}`)).text;
    expect(seededPage).toContain("acme/&#34;&gt;&lt;iframe src=&#39;javascript:alert(2)&#39;&gt;");
    expect(seededPage).toContain("&lt;script&gt;alert(&#34;delivery&#34;)&lt;/script&gt;");
    expect((await operator.get("/")).text).toContain("&lt;svg/onload=alert(1)&gt;");
    expect((await operator.get("/builds")).text).toContain("&lt;svg/onload=alert(1)&gt;");
    expect((await operator.get("/dead-letters")).text).toContain("boom: &lt;b&gt;seeded&lt;/b&gt; failure");
  });

  it("links only to http(s): a javascript: or data: logs URL is not linked at all", async () => {
    for (const id of [ids.push, ids.pr, ids.seeded]) {
      const html = (await operator.get(`/builds/${id}`)).text;
      expect(html).not.toContain("CloudWatch logs");
      expect(html).not.toMatch(/javascript:alert\(1\)/i);
      expect(html).not.toContain("data:text/html");
    }
    const api = await operator.get(`/api/builds/${ids.push}`);
    expect(api.body.build.links.logs).toBeUndefined();
    // The commit and pull-request links are built by the server from the stored ids, percent-encoded.
    const seeded = (await operator.get(`/builds/${ids.seeded}`)).text;
    const commit = /href="([^"]*\/commit\/[^"]*)"/.exec(seeded)?.[1];
    expect(commit).toMatch(/^https:\/\/github\.com\/acme\/%22%3E%3Ciframe%20src%3D&#39;javascript%3Aalert\(2\)&#39;%3E\/commit\/[0-9a-f]{40}$/);
    const console = /href="([^"]*codebuild\/projects[^"]*)"/.exec(seeded)?.[1];
    expect(console).toMatch(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\/codesuite\/codebuild\/projects\/hello-ci\/build\/hello-ci%3A%22%3E%3Cscript%3E\//);
  });

  it("escapes reflected filter values", async () => {
    const res = await operator.get(`/builds?repository=${encodeURIComponent(`"><script>alert(1)</script>`)}&ref=${encodeURIComponent(`'><svg/onload=alert(1)>`)}`);
    expect(res.status).toBe(200);
    expectInert(res.text);
    expect(res.text).toContain('value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it("redacts secret-looking keys in the payload viewer and the API", async () => {
    const page = (await operator.get(`/deliveries/${ids.pushDelivery}`)).text;
    const api = JSON.stringify((await operator.get(`/api/deliveries/${ids.pushDelivery}`)).body);
    for (const text of [page, api]) {
      for (const secret of SECRETS) expect(text).not.toContain(secret);
      expect(text).toContain("[redacted]");
      expect(text).not.toMatch(/sha256=[0-9a-f]{64}/);
    }
    expect(page).toMatch(/&#34;secret&#34;: &#34;\[redacted\]&#34;/);
    expect(page).toMatch(/&#34;password&#34;: &#34;\[redacted\]&#34;/);
    expect(page).toMatch(/&#34;access_token&#34;: &#34;\[redacted\]&#34;/);
    // What is not secret is still there to debug with.
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).toContain("x-github-event");
  });

  it("the API carries the raw strings as JSON (the page script sets them with textContent)", async () => {
    const res = await request(gate.app).get(`/api/builds/${ids.seeded}`).set("authorization", `Bearer ${API_TOKEN}`);
    expect(res.type).toBe("application/json");
    expect(res.body.build.repository).toBe(XSS.repository);
  });
});

describe("builds: keyset pagination and filters", () => {
  let gate: TestGate;
  let client: BoardClient;
  const total = 120;

  beforeAll(async () => {
    gate = await createTestGate({ yaml: boardYaml(hashes) });
    const states = ["succeeded", "failed", "running"] as const;
    for (let i = 0; i < total; i++) {
      await seedBuild(gate.store, { route: i % 2 === 0 ? "hello" : "anything", state: states[i % 3]!, ref: i % 4 === 0 ? "refs/heads/dev" : "refs/heads/main" });
    }
    client = await signedIn(gate.app, OPERATOR);
  }, 60_000);
  afterAll(() => closeGate(gate));

  const unescape = (s: string) => s.replace(/&amp;/g, "&").replace(/&#34;/g, '"').replace(/&#39;/g, "'");
  const rowsOf = (html: string) => [...html.matchAll(/<tr data-build-id="(\d+)">/g)].map((m) => Number(m[1]));
  const nextOf = (html: string) => {
    const m = /<p class="pager"><a href="([^"]+)">Older builds →<\/a><\/p>/.exec(html);
    return m ? unescape(m[1]!) : undefined;
  };

  async function walk(start: string): Promise<{ pages: number[][]; urls: string[] }> {
    const pages: number[][] = [];
    const urls: string[] = [start];
    let url: string | undefined = start;
    while (url) {
      const res = await client.get(url);
      expect(res.status).toBe(200);
      pages.push(rowsOf(res.text));
      url = nextOf(res.text);
      if (url) urls.push(url);
      if (pages.length > 10) throw new Error("pagination does not end");
    }
    return { pages, urls };
  }

  it("walks 120 builds as 50, 50, 20 with 'Older builds →', newest first, no duplicates", async () => {
    const { pages, urls } = await walk("/builds");
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    const all = pages.flat();
    expect(new Set(all).size).toBe(total);
    expect(all).toEqual([...all].sort((a, b) => b - a));
    expect(urls[1]).toBe(`/builds?before=${pages[0]![49]}`);
  });

  it("filters by state and by route, and keeps the filter across pages", async () => {
    const failed = await walk("/builds?state=failed");
    expect(failed.pages.map((p) => p.length)).toEqual([40]);
    for (const id of failed.pages.flat()) expect((await gate.store.getBuild(id))?.state).toBe("failed");

    const hello = await walk("/builds?route=hello");
    expect(hello.pages.map((p) => p.length)).toEqual([50, 10]);
    expect(hello.urls[1]).toMatch(/^\/builds\?route=hello&before=\d+$/);
    for (const id of hello.pages.flat()) expect((await gate.store.getBuild(id))?.route).toBe("hello");
    expect(new Set(hello.pages.flat()).size).toBe(60);

    const both = await walk("/builds?route=anything&state=running&ref=refs%2Fheads%2Fmain");
    const expected = (await gate.store.listBuildsPage({ route: "anything", state: "running", ref: "refs/heads/main", limit: 1000 })).map((b) => b.id);
    expect(both.pages.flat()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);

    const page = (await client.get("/builds?route=hello&state=failed")).text;
    expect(page).toMatch(/<option value="hello" selected>/);
    expect(page).toMatch(/<option value="failed" selected>/);
    // Bad cursors are ignored; an unknown state is a 400 (board-filters.test.ts).
    expect((await client.get("/builds?state=bogus")).status).toBe(400);
    expect(rowsOf((await client.get("/builds?before=-5")).text)).toHaveLength(50);
    expect(rowsOf((await client.get("/builds?before=1")).text)).toHaveLength(0);
  });

  it("the deliveries list pages the same way", async () => {
    const seen: number[] = [];
    let url: string | undefined = "/deliveries";
    const sizes: number[] = [];
    while (url) {
      const html = (await client.get(url)).text;
      const ids = [...html.matchAll(/<a class="id" href="\/deliveries\/(\d+)">/g)].map((m) => Number(m[1]));
      sizes.push(ids.length);
      seen.push(...ids);
      const m = /<a href="([^"]+)">Older deliveries →<\/a>/.exec(html);
      url = m ? unescape(m[1]!) : undefined;
    }
    expect(sizes).toEqual([50, 50, 20]);
    expect(new Set(seen).size).toBe(total);
  });

  it("the JSON API pages with a cursor", async () => {
    const first = await client.get("/api/builds");
    expect(first.body.builds).toHaveLength(50);
    const second = await client.get(`/api/builds?before=${first.body.next}`);
    expect(second.body.builds[0].id).toBe(first.body.next - 1);
  });
});
