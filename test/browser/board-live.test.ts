import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { ARTIFACTS, chromiumOrReport, openWatchedPage } from "./chromium-harness.js";
import { deliverGithub, waitFor } from "../e2e/e2e-helpers.js";
import { spawnBuildgate, type RunningBuildgate } from "../e2e/spawn-buildgate.js";
import { startLogsFake, type LogsFake } from "../fakes/cloudwatch-logs-fake.js";
import { finishFakeBuild, startCodeBuildFake, type CodeBuildFake, type FakeBuild } from "../fakes/codebuild-fake.js";
import { exampleOf, pushExample } from "../helpers/github-examples.js";

/**
 * Issue 13, "the live board must be true without a reload", in Debian's Chromium against the
 * real server and a local CodeBuild: a finished build leaves "In flight", its card updates, a
 * lane's new build takes its place in the card, new failures join "Recent failures", a pull
 * request's card shows its title and author, times are relative and kept fresh; 390 px wide
 * pages scroll nothing sideways and break no word. Screenshots go to test-artifacts/.
 */
const SECRET = "browser-live-secret-0123456789";
const STEP = 20_000;

function writeConfig(dir: string, codebuildUrl: string, logsUrl: string): string {
  const path = join(dir, "buildgate.yaml");
  // No board section on a loopback host: the board is served without sign-in (auth none).
  writeFileSync(
    path,
    `
store: { url: "sqlite:${join(dir, "bg.db")}" }
server: { host: 127.0.0.1 }
github: { webhookSecrets: ["\${BROWSER_SECRET}"] }
aws: { region: us-east-1, endpoints: { codebuild: "${codebuildUrl}", logs: "${logsUrl}" }, maxAttempts: 3 }
logs: { cacheDir: "${join(dir, "logs")}" }
tracking: { pollIntervalSeconds: 1 }
routes:
  - name: hello
    source: { github: "Codertocat/Hello-World" }
    on: [push, pull_request]
    project: hello-ci
`,
  );
  return path;
}

/** Every phase up to BUILD succeeded, BUILD in progress. */
function building(build: FakeBuild): void {
  const phases = ["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD"];
  build.phases = [...phases.map((phaseType, i) => ({ phaseType, phaseStatus: "SUCCEEDED", startTime: build.startTime + i, endTime: build.startTime + i + 1, durationInSeconds: 1 })), { phaseType: "BUILD", startTime: build.startTime + 6 }];
  build.currentPhase = "BUILD";
}

function finish(build: FakeBuild, status: "SUCCEEDED" | "FAILED"): void {
  building(build);
  const last = build.phases[build.phases.length - 1]!;
  build.phases[build.phases.length - 1] = { ...last, phaseStatus: status, endTime: build.startTime + 20, durationInSeconds: 14, ...(status === "FAILED" ? { contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: npm test. Reason: exit status 1" }] } : {}) };
  finishFakeBuild(build, status, build.startTime * 1000 + 21_000);
}

if (chromiumOrReport("live board in a browser")) {
  describe("the live board in Chromium (the real server, a local CodeBuild)", () => {
    let dir: string;
    let fake: CodeBuildFake;
    let logs: LogsFake;
    let gate: RunningBuildgate;
    let context: BrowserContext;
    let page: Page;
    const problems: string[] = [];
    const fakeBuildOf = (sha: string) => [...fake.builds.values()].find((b) => b.environment.environmentVariables.some((v) => v.name === "BUILDGATE_SHA" && v.value === sha));
    const push = (sha: string, ref = "refs/heads/master") => deliverGithub(gate, SECRET, "push", pushExample({ after: sha, ref, message: `commit ${sha.slice(0, 4)}` }));
    const url = (path: string) => `${gate.url}${path}`;
    const inFlight = () => page.locator('table[data-list="in-flight"] tbody tr[data-build-id]');
    const failures = () => page.locator('table[data-list="failures"] tbody tr[data-build-id]');
    const card = (lane: string) => page.locator("article.lane", { has: page.locator(".lane-name", { hasText: new RegExp(`^${lane.replace(/[#/]/g, "\\$&")}$`) }) });
    const sha1 = "a11ce".padEnd(40, "1");
    const sha2 = "b0b".padEnd(40, "2");
    const sha3 = "c0ffee".padEnd(40, "3");

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "buildgate-browser-live-"));
      fake = await startCodeBuildFake({ projects: ["hello-ci"] });
      logs = await startLogsFake();
      gate = await spawnBuildgate(writeConfig(dir, fake.url, logs.url), { BROWSER_SECRET: SECRET });
      ({ context, page } = await openWatchedPage(dir, problems));
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      await gate?.stop();
      await fake?.close();
      await logs?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("a new build joins In flight and gets a card; when it finishes it leaves In flight and its card updates, without a reload", async () => {
      await page.goto(url("/"));
      await page.evaluate("window.__noReload = true");
      expect(await page.locator('section[aria-labelledby="inflight"] .empty').innerText()).toBe("Nothing is building.");
      await page.waitForTimeout(300); // the EventSource is connected
      expect((await push(sha1)).status).toBe(202);

      await inFlight().filter({ hasText: sha1.slice(0, 7) }).waitFor({ timeout: STEP });
      await card("master").locator("li[data-route=hello]", { hasText: sha1.slice(0, 7) }).waitFor({ timeout: STEP });
      expect(await page.locator('section[aria-labelledby="inflight"] .empty').count()).toBe(0);

      const fb = await waitFor("the StartBuild", () => fakeBuildOf(sha1), STEP);
      building(fb);
      await card("master").locator('[data-field="description"]', { hasText: /Building: BUILD phase/ }).waitFor({ timeout: STEP });
      finish(fb, "SUCCEEDED");
      await inFlight().first().waitFor({ state: "detached", timeout: STEP });
      await page.locator('section[aria-labelledby="inflight"] .empty', { hasText: "Nothing is building." }).waitFor({ timeout: STEP });
      const li = card("master").locator("li[data-route=hello]");
      await li.locator('[data-field="state"]', { hasText: /succeeded/ }).waitFor({ timeout: STEP });
      expect(await li.locator('[data-field="description"]').innerText()).toMatch(/^Succeeded/);
      expect(await failures().count()).toBe(0);
      expect(await page.evaluate("window.__noReload")).toBe(true);
    }, 60_000);

    it("the lane's next build takes its route's place in the card; a failure joins Recent failures with its cause", async () => {
      await page.evaluate("window.__noReload = true");
      expect((await push(sha2)).status).toBe(202);
      const li = card("master").locator("li[data-route=hello]");
      await li.filter({ hasText: sha2.slice(0, 7) }).waitFor({ timeout: STEP });
      expect(await card("master").locator("li").count()).toBe(1);
      await inFlight().filter({ hasText: sha2.slice(0, 7) }).waitFor({ timeout: STEP });

      const fb = await waitFor("the second StartBuild", () => fakeBuildOf(sha2), STEP);
      finish(fb, "FAILED");
      await failures().filter({ hasText: sha2.slice(0, 7) }).waitFor({ timeout: STEP });
      expect(await failures().first().locator(".cause").innerText()).toBe("Cause in BUILD: npm test (exit status 1)");
      await inFlight().first().waitFor({ state: "detached", timeout: STEP });
      await li.locator('[data-field="state"]', { hasText: /failed/ }).waitFor({ timeout: STEP });
      expect(await page.locator('section[aria-labelledby="failures"] .empty').count()).toBe(0);
      expect(await page.evaluate("window.__noReload")).toBe(true);
    }, 60_000);

    it("a pull request gets a new card, first among the lanes, with its title and author", async () => {
      await page.evaluate("window.__noReload = true");
      const pr = exampleOf("pull_request", (e) => e.action === "opened");
      const p = pr.pull_request as Record<string, unknown> & { head: Record<string, unknown>; user: Record<string, unknown> };
      p.title = "Teach the board to tell the truth";
      p.author_association = "OWNER";
      p.head.sha = sha3;
      p.user.login = "monalisa";
      expect((await deliverGithub(gate, SECRET, "pull_request", pr)).status).toBe(202);
      const lane = card(`#${String(pr.number)}`);
      await lane.waitFor({ timeout: STEP });
      expect(await lane.locator(".pr-card").innerText()).toBe("Teach the board to tell the truth by monalisa");
      expect(await page.locator("article.lane").first().getAttribute("data-lane-key")).toBe(await lane.getAttribute("data-lane-key"));
      await inFlight().filter({ hasText: "Teach the board to tell the truth" }).waitFor({ timeout: STEP });
      expect(await page.evaluate("window.__noReload")).toBe(true);
      // After a reload the server renders the same card.
      await page.reload();
      expect(await lane.locator(".pr-card").innerText()).toBe("Teach the board to tell the truth by monalisa");
      await page.screenshot({ path: join(ARTIFACTS, "board-live-dashboard.png"), fullPage: true });
    }, 60_000);

    it("times are relative, absolute on hover, and re-rendered from their datetime", async () => {
      await page.goto(url("/builds"));
      const time = page.locator("table.builds time[data-relative]").first();
      expect(await time.innerText()).toMatch(/^(just now|\d+ min ago)$/);
      expect(await time.getAttribute("title")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
      // Pretend the page was left open: the build was created 3 minutes and then 2 days ago.
      await page.evaluate(`(() => { const t = document.querySelector("table.builds time[data-relative]"); t.setAttribute("datetime", new Date(Date.now() - 3 * 60000 - 5000).toISOString()); window.buildgateTime.refresh(); })()`);
      expect(await time.innerText()).toBe("3 min ago");
      await page.evaluate(`(() => { const t = document.querySelector("table.builds time[data-relative]"); t.setAttribute("datetime", new Date(Date.now() - 30 * 3600000).toISOString()); window.buildgateTime.refresh(); })()`);
      expect(await time.innerText()).toBe("yesterday");
    }, 30_000);

    it("at phone width (390 px) nothing scrolls sideways and no word breaks inside itself", async () => {
      // A long branch name and a long title: they must wrap between words, or the table scrolls inside itself.
      expect((await push("d00d".padEnd(40, "4"), "refs/heads/feature/a-rather-long-branch-name-for-a-phone")).status).toBe(202);
      await waitFor("the long branch's build", async () => ((await (await fetch(url("/api/builds?ref=feature%2Fa-rather-long-branch-name-for-a-phone"))).json()) as { builds: unknown[] }).builds.length > 0, STEP);
      await page.setViewportSize({ width: 390, height: 844 });
      for (const [path, shot] of [
        ["/", "board-mobile-dashboard.png"],
        ["/builds", "board-mobile-builds.png"],
        ["/deliveries", "board-mobile-deliveries.png"],
      ] as const) {
        await page.goto(url(path));
        const overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        expect({ path, overflow }).toEqual({ path, overflow: 0 });
        // Nothing in a table may break a word anywhere (overflow-wrap: anywhere, word-break: break-all).
        const breaking = await page.evaluate(`[...document.querySelectorAll("td, td *")].filter((e) => { const s = getComputedStyle(e); return s.overflowWrap === "anywhere" || s.wordBreak === "break-all"; }).length`);
        expect({ path, breaking }).toEqual({ path, breaking: 0 });
        // Every word of a card's short fields sits on one line: a sha, a build id, a state, a time.
        const split = await page.evaluate(`[...document.querySelectorAll("table.builds code, table.builds td:first-child a, table.builds .state, table.builds time, .lane code, .lane time")].filter((e) => e.getClientRects().length > 1).map((e) => e.textContent)`);
        expect({ path, split }).toEqual({ path, split: [] });
        await page.screenshot({ path: join(ARTIFACTS, shot), fullPage: true });
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    }, 60_000);

    it("had no console errors, CSP violations or failed requests", () => {
      expect(problems).toEqual([]);
    });
  });
}
