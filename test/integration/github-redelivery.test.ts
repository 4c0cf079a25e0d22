import pino from "pino";
import request from "supertest";
import { createRateGate } from "../../src/domain/rate-gate.js";
import { createRedeliverGithub, redeliverGithub, type RedeliverGithubDeps } from "../../src/providers/github/redeliver-github.js";
import { createOctokit, createOctokitGithubApi } from "../../src/providers/github/octokit-github-api.js";
import { JOB } from "../../src/pipeline/job-kinds.js";
import { startGithubFake, type GithubFake } from "../fakes/github-fake.js";
import { pushExample } from "../helpers/github-examples.js";
import { signGithub } from "../helpers/sign.js";
import { createTestGate, SECRET, TEST_CONFIG, type TestGate } from "../helpers/test-gate.js";

const HOUR = 3600_000;
const REPO = "Codertocat/Hello-World";
const HOOK_URL = "https://ci.example.com/webhooks/github";
const log = pino({ level: "silent" });

describe("GitHub redelivery sweep against the GitHub fake, through the real Octokit", () => {
  let fake: GithubFake;
  let gate: TestGate;
  beforeEach(async () => {
    fake = await startGithubFake({ token: "ghp_test" });
    gate = await createTestGate({ yaml: `${TEST_CONFIG}\nserver: { publicUrl: "https://ci.example.com" }\n` });
  });
  afterEach(async () => {
    await gate.close();
    await fake.close();
  });

  function deps(settings: Partial<RedeliverGithubDeps["settings"]> = {}): RedeliverGithubDeps {
    const github = createOctokitGithubApi(createOctokit({ webhookSecrets: ["s"], apiUrl: fake.url, auth: { token: "ghp_test" } }));
    return {
      github,
      store: gate.store,
      settings: { enabled: true, lookbackHours: 72, intervalMinutes: 10, maxPerRun: 50, ...settings },
      repositories: [REPO, REPO.toLowerCase()],
      hookUrl: HOOK_URL,
      gate: createRateGate(75, 60_000),
    };
  }
  const failed = (guid: string, hoursAgo: number, over: Record<string, unknown> = {}) => ({ guid, status: "Invalid HTTP Response: 503", statusCode: 503, deliveredAt: Date.now() - hoursAgo * HOUR, ...over });

  /** Delivers a signed push to the gate under `guid`, as GitHub does when it (re)delivers. */
  async function deliver(guid: string): Promise<number> {
    const body = JSON.stringify(pushExample({ after: "a".repeat(40) }));
    const res = await request(gate.app).post("/webhooks/github").set("content-type", "application/json").set("x-github-event", "push").set("x-github-delivery", guid).set("x-hub-signature-256", signGithub(SECRET, body)).send(body);
    return res.status;
  }

  it("finds buildgate's hook by URL, reads every cursor page, and redelivers only what failed and never arrived", async () => {
    const hook = fake.hooks.addHook({ repo: REPO }, { url: HOOK_URL });
    fake.hooks.addHook({ repo: REPO }, { url: "https://other.example.com/hook" });
    fake.hooks.addDelivery(hook, failed("g-lost", 30, { event: "pull_request", action: "synchronize" }));
    fake.hooks.addDelivery(hook, failed("g-stored", 29)); // answered too late for GitHub, but in our inbox
    fake.hooks.addDelivery(hook, failed("g-healed", 28));
    fake.hooks.addDelivery(hook, { guid: "g-healed", redelivery: true, deliveredAt: Date.now() - 27 * HOUR });
    fake.hooks.addDelivery(hook, failed("g-expired", 80));
    for (let i = 0; i < 250; i++) fake.hooks.addDelivery(hook, { guid: `ok-${i}`, deliveredAt: Date.now() - HOUR - i * 1000 });
    expect(await deliver("g-stored")).toBe(202);

    const summary = await redeliverGithub(deps(), log);

    expect(summary).toEqual({ hooks: 1, listed: 255, missing: 2, redelivered: 1 });
    expect(fake.hooks.redeliveries.map((r) => [r.hookId, r.guid])).toEqual([[hook, "g-lost"]]);
    const lists = fake.calls.filter((c) => c.path.endsWith("/deliveries"));
    expect(lists.map((c) => c.query.cursor)).toEqual([undefined, "v1_100", "v1_200"]);
    expect(lists[0]?.query.per_page).toBe("100");
    expect(fake.calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual([`/repos/${REPO}/hooks/${hook}/deliveries/${fake.hooks.redeliveries[0]?.deliveryId}/attempts`]);
  });

  it("stops reading pages once they reach back past the lookback", async () => {
    const hook = fake.hooks.addHook({ repo: REPO }, { url: HOOK_URL });
    for (let i = 0; i < 350; i++) fake.hooks.addDelivery(hook, { guid: `ok-${i}`, deliveredAt: Date.now() - i * 0.5 * HOUR });
    await redeliverGithub(deps({ lookbackHours: 24 }), log);
    expect(fake.calls.filter((c) => c.path.endsWith("/deliveries"))).toHaveLength(1); // page 1 reaches 50 h back
  });

  it("redelivers at most maxPerRun a run, oldest first; once GitHub's redelivery lands, it stays done", async () => {
    const hook = fake.hooks.addHook({ repo: REPO }, { url: HOOK_URL });
    for (const [guid, hoursAgo] of [["g1", 50], ["g2", 40], ["g3", 30], ["g4", 20], ["g5", 10]] as const) fake.hooks.addDelivery(hook, failed(guid, hoursAgo));
    const arrived: string[] = [];
    fake.hooks.setRedeliveryOutcome("OK", (guid) => arrived.push(guid));

    await redeliverGithub(deps({ maxPerRun: 2 }), log);
    expect(fake.hooks.redeliveries.map((r) => r.guid)).toEqual(["g1", "g2"]);
    for (const guid of arrived.splice(0)) expect(await deliver(guid)).toBe(202);

    await redeliverGithub(deps({ maxPerRun: 2 }), log);
    await redeliverGithub(deps({ maxPerRun: 2 }), log);
    await redeliverGithub(deps({ maxPerRun: 2 }), log);
    expect(fake.hooks.redeliveries.map((r) => r.guid)).toEqual(["g1", "g2", "g3", "g4", "g5"]);
  });

  it("gives up on a guid after three failed redeliveries", async () => {
    const hook = fake.hooks.addHook({ repo: REPO }, { url: HOOK_URL });
    fake.hooks.addDelivery(hook, failed("g-broken", 5));
    fake.hooks.setRedeliveryOutcome("Invalid HTTP Response: 404");
    for (let run = 0; run < 5; run++) await redeliverGithub(deps(), log);
    expect(fake.hooks.redeliveries).toHaveLength(3);
  });

  it("sweeps an organization hook by its configured id", async () => {
    const hook = fake.hooks.addHook({ org: "acme" }, { url: "https://proxy.example.com/gh", id: 77 });
    fake.hooks.addDelivery(hook, failed("g-org", 2));
    const summary = await redeliverGithub(deps({ org: "acme", hookId: 77 }), log);
    expect(summary).toMatchObject({ hooks: 1, redelivered: 1 });
    expect(fake.calls.some((c) => c.path === "/orgs/acme/hooks")).toBe(false);
    expect(fake.calls.filter((c) => c.method === "POST")[0]?.path).toMatch(/^\/orgs\/acme\/hooks\/77\/deliveries\/\d+\/attempts$/);
  });

  it("skips a hook GitHub will not show (404) and goes on with the others", async () => {
    const hook = fake.hooks.addHook({ repo: REPO }, { url: HOOK_URL });
    fake.hooks.addDelivery(hook, failed("g-1", 2));
    const d = deps({ hookId: hook });
    const summary = await redeliverGithub({ ...d, repositories: ["acme/gone", REPO] }, log);
    expect(summary).toMatchObject({ hooks: 2, redelivered: 1 });
  });

  it("on a rate limit, stops the run and schedules the next one after GitHub's reset", async () => {
    const hook = fake.hooks.addHook({ repo: REPO }, { url: HOOK_URL });
    fake.hooks.addDelivery(hook, failed("g-1", 2));
    fake.hooks.addDelivery(hook, failed("g-2", 1));
    const reset = Math.floor(Date.now() / 1000) + 2 * 3600;
    fake.failNext(1, { status: 403, message: "API rate limit exceeded", headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) } }, { method: "POST" });
    const handler = createRedeliverGithub(deps());

    await handler.run({}, { job: {} as never, log });

    expect(fake.hooks.redeliveries).toEqual([]);
    expect(fake.calls.filter((c) => c.method === "POST")).toHaveLength(1); // the second one was not tried
    const [next] = await gate.store.jobs.claim("t", Number.MAX_SAFE_INTEGER - 1, 1, 10);
    expect(next).toMatchObject({ kind: JOB.redeliverGithub, dedupe_key: "github-redelivery" });
    expect(next!.run_at).toBeGreaterThanOrEqual(reset * 1000);
  });

  it("schedules the next run after the interval when all went well", async () => {
    fake.hooks.addHook({ repo: REPO }, { url: HOOK_URL });
    const before = Date.now();
    await createRedeliverGithub(deps({ intervalMinutes: 10 })).run({}, { job: {} as never, log });
    const [next] = await gate.store.jobs.claim("t", Number.MAX_SAFE_INTEGER - 1, 1, 10);
    expect(next!.run_at).toBeGreaterThanOrEqual(before + 10 * 60_000);
    expect(next!.run_at).toBeLessThan(before + 11 * 60_000);
  });
});
