import { relativeTime, utcTime } from "../../domain/relative-time.js";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A relative time ("3 min ago"), absolute on hover, for the templates (`<%- timeTag(iso, now) %>`):
 * `<time datetime="…" data-relative title="2026-12-07 10:00:00 UTC">3 min ago</time>`;
 * public/relative-time.js renders it again from `datetime`. A function rather than an EJS include:
 * the dashboard prints one per card line, and an include costs a call into EJS each time.
 */
export function timeTag(iso: string, now: number = Date.now()): string {
  const at = Date.parse(iso);
  return `<time datetime="${escapeHtml(iso)}" data-relative title="${escapeHtml(utcTime(at))}">${escapeHtml(relativeTime(at, now))}</time>`;
}
