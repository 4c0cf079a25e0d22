import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { relativeTime, utcTime } from "../../../src/domain/relative-time.js";

const NOW = Date.parse("2026-12-07T10:00:00.000Z");
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

const cases: ReadonlyArray<readonly [string, number, string]> = [
  ["the same instant", 0, "just now"],
  ["59 s ago", 59 * S, "just now"],
  ["a minute ago", MIN, "1 min ago"],
  ["3 min 59 s ago", 3 * MIN + 59 * S, "3 min ago"],
  ["59 min ago", 59 * MIN + 59 * S, "59 min ago"],
  ["an hour ago", H, "1 h ago"],
  ["23 h 59 min ago", D - MIN, "23 h ago"],
  ["24 h ago", D, "yesterday"],
  ["47 h ago", 2 * D - MIN, "yesterday"],
  ["2 days ago", 2 * D, "2 days ago"],
  ["6 days 23 h ago", 7 * D - H, "6 days ago"],
  ["a week ago: the date", 7 * D, "2026-11-30"],
  ["a year ago", 365 * D, "2025-12-07"],
  ["30 s ahead (clock skew)", -30 * S, "just now"],
  ["a minute ahead", -MIN, "just now"],
  ["5 min ahead", -5 * MIN - S, "in 5 min"],
  ["3 h ahead", -3 * H - S, "in 3 h"],
  ["2 days ahead", -2 * D, "2026-12-09"],
];

/** The browser's copy (public/relative-time.js), loaded as the page loads it, without a DOM. */
function browserCopy(): { relativeTime: (then: number, now: number) => string; utcTime: (at: number) => string } {
  const sandbox: { window: Record<string, unknown>; document?: undefined } = { window: {} };
  runInNewContext(readFileSync(new URL("../../../public/relative-time.js", import.meta.url), "utf8"), sandbox);
  return sandbox.window.buildgateTime as ReturnType<typeof browserCopy>;
}

describe("relativeTime", () => {
  const browser = browserCopy();
  it.each(cases)("%s: %s", (_name, ago, want) => {
    expect(relativeTime(NOW - ago, NOW)).toBe(want);
  });
  it.each(cases)("public/relative-time.js agrees: %s", (_name, ago, want) => {
    expect(browser.relativeTime(NOW - ago, NOW)).toBe(want);
  });
  it("is empty for a time that is not one", () => {
    expect(relativeTime(Number.NaN, NOW)).toBe("");
    expect(browser.relativeTime(Number.NaN, NOW)).toBe("");
  });
  it("gives the absolute time for the hover, in UTC, the same in both", () => {
    expect(utcTime(NOW)).toBe("2026-12-07 10:00:00 UTC");
    expect(browser.utcTime(NOW + 1500)).toBe("2026-12-07 10:00:01 UTC");
    expect(utcTime(Number.NaN)).toBe("");
    expect(browser.utcTime(Number.NaN)).toBe("");
  });
});
