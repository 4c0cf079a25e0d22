import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium (never a downloaded browser); CI installs it (.ci/run). */
export const CHROMIUM = "/usr/bin/chromium";
/** Where the browser suites write their screenshots. */
export const ARTIFACTS = join(process.cwd(), "test-artifacts");
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"];

/**
 * True when Chromium is here. Otherwise the suite says so: a failing test in CI, elsewhere a
 * warning and a todo entry (Jest fails a file that registers nothing, and a todo keeps the skip
 * visible in the summary without pretending anything passed).
 */
export function chromiumOrReport(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  describe(suite, () => {
    if (process.env.CI) {
      it("needs Debian's chromium at /usr/bin/chromium (CI installs it: .ci/run)", () => {
        throw new Error(`browser suite: ${CHROMIUM} not found`);
      });
    } else {
      console.warn(`browser suite skipped: ${CHROMIUM} not found`);
      it.todo(`browser suite skipped: ${CHROMIUM} not found`);
    }
  });
  return false;
}

/**
 * Chromium with a fresh profile under `dir` (1280×800, light), its page watched: console errors,
 * CSP violations, page errors and HTTP errors go into `problems` (the suites end by expecting
 * none), except responses whose URL `expected` accepts.
 */
export async function openWatchedPage(dir: string, problems: string[], expected: (url: string) => boolean = () => false): Promise<{ context: BrowserContext; page: Page }> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const context = await chromium.launchPersistentContext(join(dir, "chromium-profile"), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 800 }, colorScheme: "light" });
  // The CSP is reported in the console too; this catches violations the console might not name.
  await context.addInitScript({ content: 'document.addEventListener("securitypolicyviolation", (e) => console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI));' });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (msg) => {
    if (msg.type() === "error" || /content security policy/i.test(msg.text())) problems.push(`${msg.type()}: ${msg.text()} (${page.url()})`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message} (${page.url()})`));
  page.on("response", (res) => {
    if (res.status() >= 400 && !expected(res.url())) problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
  });
  return { context, page };
}
