import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { ARTIFACTS, chromiumOrReport, openWatchedPage } from "./chromium-harness.js";
import { hashPassword } from "../../src/web/auth/password.js";
import { deliverGithub, waitFor } from "../e2e/e2e-helpers.js";
import { spawnBuildgate, type RunningBuildgate } from "../e2e/spawn-buildgate.js";
import { startLogsFake, type LogsFake } from "../fakes/cloudwatch-logs-fake.js";
import { finishFakeBuild, startCodeBuildFake, type CodeBuildFake, type FakeBuild } from "../fakes/codebuild-fake.js";
import { pushExample } from "../helpers/github-examples.js";

/**
 * The board in a real browser: Debian's Chromium driven by playwright-core, against the real
 * server process and a local CodeBuild. Screenshots go to test-artifacts/.
 */
const SECRET = "browser-secret-0123456789";
const USER = { username: "olivia", password: "correct horse battery staple" };
const STEP = 20_000;

const CODEBUILD_PHASES = ["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING"];

/** Moves a fake build to `current`: every earlier phase SUCCEEDED (or the last one FAILED), `current` in progress. */
function moveTo(build: FakeBuild, current: string, lastStatus: "SUCCEEDED" | "FAILED" = "SUCCEEDED"): void {
  const now = Date.now() / 1000;
  const upTo = CODEBUILD_PHASES.indexOf(current);
  build.phases = CODEBUILD_PHASES.slice(0, upTo + 1).map((phaseType, i) => {
    const start = build.startTime + i * 3;
    if (i === upTo) return { phaseType, startTime: start };
    return { phaseType, phaseStatus: i === upTo - 1 ? lastStatus : "SUCCEEDED", startTime: start, endTime: start + 3, durationInSeconds: 3 };
  });
  build.currentPhase = current;
  build.startTime = Math.min(build.startTime, now);
}

function writeConfig(dir: string, codebuildUrl: string, logsUrl: string, passwordHash: string): string {
  const path = join(dir, "buildgate.yaml");
  writeFileSync(
    path,
    `
store: { url: "sqlite:${join(dir, "bg.db")}" }
server: { host: 127.0.0.1 }
github: { webhookSecrets: ["\${BROWSER_SECRET}"] }
aws: { region: us-east-1, endpoints: { codebuild: "${codebuildUrl}", logs: "${logsUrl}" }, maxAttempts: 3 }
logs: { cacheDir: "${join(dir, "logs")}" }
tracking: { pollIntervalSeconds: 1 }
board:
  auth:
    mode: local
    local:
      users:
        - { username: ${USER.username}, passwordHash: "${passwordHash}", role: operator }
  sessionSecret: "${"b".repeat(48)}"
routes:
  - name: hello
    source: { github: "Codertocat/Hello-World" }
    on: [push]
    branches: [master, "feature/*"]
    project: hello-ci
`,
  );
  return path;
}

if (chromiumOrReport("board in a browser")) {
  describe("board in a browser (Chromium + the real server)", () => {
    let dir: string;
    let fake: CodeBuildFake;
    let logs: LogsFake;
    let gate: RunningBuildgate;
    let context: BrowserContext;
    let page: Page;
    const problems: string[] = [];
    const fakeBuildOf = (sha: string) => [...fake.builds.values()].find((b) => b.environment.environmentVariables.some((v) => v.name === "BUILDGATE_SHA" && v.value === sha));
    const sha1 = "b0a4d".padEnd(40, "1");
    const sha2 = "f00d".padEnd(40, "2");
    const push = (sha: string, message: string, ref = "refs/heads/master") => deliverGithub(gate, SECRET, "push", pushExample({ after: sha, message, ref }));
    const url = (path: string) => `${gate.url}${path}`;
    const text = (selector: string) => page.locator(selector).first().innerText();
    // Waits for live content with Playwright's own selector engine: the board's CSP forbids the
    // eval that a string waitForFunction needs (and the suite fails on CSP violations).
    const live = (selector: string, pattern: RegExp) => page.locator(selector, { hasText: pattern }).first().waitFor({ timeout: STEP });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "buildgate-browser-"));
      fake = await startCodeBuildFake({ projects: ["hello-ci"] });
      logs = await startLogsFake();
      gate = await spawnBuildgate(writeConfig(dir, fake.url, logs.url, await hashPassword(USER.password)), { BROWSER_SECRET: SECRET });
      ({ context, page } = await openWatchedPage(dir, problems, (u) => u.endsWith("/login?error=1&returnTo=%2Fbuilds")));
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      await gate?.stop();
      await fake?.close();
      await logs?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("signs in through the form and lands on the page it was going to", async () => {
      await page.goto(url("/builds"));
      expect(new URL(page.url()).pathname).toBe("/login");
      expect(new URL(page.url()).searchParams.get("returnTo")).toBe("/builds");
      await page.fill('input[name="username"]', USER.username);
      await page.fill('input[name="password"]', "wrong password");
      await page.click('button:has-text("Sign in")');
      await page.waitForURL(/\/login\?error=1/);
      expect(await text('[role="alert"]')).toMatch(/Sign-in failed/);
      await page.fill('input[name="username"]', USER.username);
      await page.fill('input[name="password"]', USER.password);
      await page.click('button:has-text("Sign in")');
      await page.waitForURL(url("/builds"));
      expect(await text("h1")).toBe("Builds");
      expect(await text(".who")).toContain(`${USER.username} · operator`);
      expect(await text(".empty")).toMatch(/No builds match/);
    }, 60_000);

    it("shows a pushed commit's build without reload, and its state and phase change live", async () => {
      await page.evaluate("window.__noReload = true");
      await page.waitForTimeout(300); // the EventSource is connected
      expect((await push(sha1, "Add the team board")).status).toBe(202);
      const row = page.locator('table[data-live="builds"] tbody tr[data-build-id]').first();
      await row.waitFor({ timeout: STEP });
      expect(await row.innerText()).toContain(sha1.slice(0, 7));
      expect(await row.innerText()).toContain("master");
      await page.locator(".empty").waitFor({ state: "detached", timeout: STEP });

      // CodeBuild moves on: BUILD is in progress.
      const fb = await waitFor("the StartBuild", () => fakeBuildOf(sha1), STEP);
      moveTo(fb, "BUILD");
      await live('tr[data-build-id] [data-field="description"]', /Building: BUILD phase/);
      expect(await row.locator('[data-field="state"]').innerText()).toMatch(/running/);
      expect(await row.locator('[data-field="state"]').getAttribute("class")).toContain("tone-pending");
      expect(await page.evaluate("window.__noReload")).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, "board-builds.png"), fullPage: true });
    }, 60_000);

    it("follows the build on its page: the phase timeline and the state update live", async () => {
      await page.click('table[data-live="builds"] tbody tr[data-build-id] a');
      await page.waitForURL(/\/builds\/\d+$/);
      expect(await text("h1")).toMatch(/Build #\d+\s+●\s+running/);
      expect(await text('tr[data-phase="BUILD"] [data-field="status"]')).toBe("in progress");
      expect(await text('tr[data-phase="PRE_BUILD"] [data-field="status"]')).toBe("succeeded");
      expect(await text('tr[data-phase="POST_BUILD"] [data-field="status"]')).toBe("not started");
      const phases = await page.locator("tr[data-phase]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-phase")));
      expect(phases).toEqual([...CODEBUILD_PHASES, "COMPLETED"]);
      await page.evaluate("window.__noReload = true");

      const fb = fakeBuildOf(sha1)!;
      logs.append(fb.logs.groupName!, fb.logs.streamName!, ["[Container] 2026/12/07 10:00:00.123456 Entering phase BUILD", "[Container] 2026/12/07 10:00:00.123456 Running command npm test", "\u001b[32m412 tests passed\u001b[0m"]);
      moveTo(fb, "POST_BUILD");
      await live('tr[data-phase="BUILD"] [data-field="status"]', /^succeeded$/);
      expect(await text('tr[data-phase="POST_BUILD"] [data-field="status"]')).toBe("in progress");

      moveTo(fb, "FINALIZING");
      fb.phases[fb.phases.length - 1] = { ...fb.phases[fb.phases.length - 1]!, phaseStatus: "SUCCEEDED", endTime: fb.startTime + 30, durationInSeconds: 1 };
      finishFakeBuild(fb, "SUCCEEDED", fb.startTime * 1000 + 31_000);
      await live('h1 [data-field="state"]', /succeeded/);
      expect(await page.locator('h1 [data-field="state"]').getAttribute("class")).toContain("tone-success");
      expect(await text('tr[data-phase="FINALIZING"] [data-field="status"]')).toBe("succeeded");
      expect(await text(".lead")).toMatch(/^Succeeded/);
      expect(await page.evaluate("window.__noReload")).toBe(true);
      await page.reload();
      expect(await text("dl.facts")).toContain("Add the team board");
      // The log inline, read from (the local) CloudWatch Logs, terminal colours stripped.
      expect(await text("ol.build-log #L3")).toContain("412 tests passed");
      await page.screenshot({ path: join(ARTIFACTS, "board-build.png"), fullPage: true });
    }, 60_000);

    it("Rebuild lands on the new build's page, and the new build starts", async () => {
      const before = new URL(page.url()).pathname;
      await page.click('button:has-text("Rebuild")');
      await page.waitForURL((u) => /^\/builds\/\d+$/.test(u.pathname) && u.pathname !== before);
      const newId = Number(new URL(page.url()).pathname.split("/").pop());
      expect(await text("h1")).toMatch(new RegExp(`Build #${newId}`));
      expect(await text("dl.facts")).toMatch(new RegExp(`rebuild of #${before.split("/").pop()}`));
      expect(await text("dl.facts")).toContain(`by ${USER.username}`);
      await waitFor("the rebuild's StartBuild", () => fake.calls.filter((c) => c.op === "StartBuild" && c.status === 200).length === 2, STEP);
    }, 60_000);

    it("the dashboard shows lanes, in-flight builds and failures, and takes new builds live", async () => {
      await page.goto(url("/"));
      await page.waitForTimeout(300);
      expect((await push(sha2, "Try a risky change", "refs/heads/feature/board")).status).toBe(202);
      await page.locator("[data-build-id]", { hasText: sha2.slice(0, 7) }).first().waitFor({ timeout: STEP });
      const fb = await waitFor("the second StartBuild", () => fakeBuildOf(sha2), STEP);
      moveTo(fb, "BUILD", "SUCCEEDED");
      fb.phases[fb.phases.length - 1] = { ...fb.phases[fb.phases.length - 1]!, phaseStatus: "FAILED", endTime: fb.startTime + 25, durationInSeconds: 4 };
      finishFakeBuild(fb, "FAILED", fb.startTime * 1000 + 26_000);
      await live('[data-field="state"]', /failed/);
      await page.reload();
      expect(await text('section[aria-labelledby="failures"]')).toMatch(/failed/);
      expect(await page.locator(".lane").count()).toBeGreaterThanOrEqual(2);
      await page.screenshot({ path: join(ARTIFACTS, "board-dashboard.png"), fullPage: true });
      await page.emulateMedia({ colorScheme: "dark" });
      await page.screenshot({ path: join(ARTIFACTS, "board-dashboard-dark.png"), fullPage: true });
      await page.emulateMedia({ colorScheme: "light" });
    }, 60_000);

    it("works at phone width (390 px): no sideways scrolling of the page", async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      for (const [path, shot] of [
        ["/", "board-mobile.png"],
        ["/builds/1", "board-mobile-build.png"],
        ["/builds", "board-mobile-builds.png"],
      ] as const) {
        await page.goto(url(path));
        const overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        expect({ path, overflow }).toEqual({ path, overflow: 0 });
        await page.screenshot({ path: join(ARTIFACTS, shot), fullPage: true });
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    }, 60_000);

    it("keyboard: the skip link comes first and the navigation is reachable", async () => {
      await page.goto(url("/builds"));
      await page.keyboard.press("Tab");
      expect(await page.evaluate("document.activeElement?.textContent")).toBe("Skip to content");
      await page.keyboard.press("Tab");
      expect(await page.evaluate("document.activeElement?.textContent")).toBe("buildgate");
    }, 30_000);

    it("signs out, and had no console errors or CSP violations on any page", async () => {
      await page.goto(url("/"));
      await page.click('button:has-text("Sign out")');
      await page.waitForURL(/\/login$/);
      await page.goto(url("/builds"));
      expect(new URL(page.url()).pathname).toBe("/login");
      await page.waitForTimeout(300);
      expect(problems).toEqual([]);
    }, 30_000);
  });
}
