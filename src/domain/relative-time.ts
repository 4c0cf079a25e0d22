/**
 * How long ago something happened, the way the board says it: "just now", "3 min ago", "2 h ago",
 * "yesterday", "4 days ago", then the date. Pure: both times are epoch milliseconds, so the same
 * text comes out on the server (the first render) and in the browser (public/relative-time.js
 * mirrors this function; test/unit/domain/relative-time.test.ts holds both to one table).
 *
 * Elapsed time, not calendar days: "yesterday" is 24 to 48 hours ago, whatever the viewer's time
 * zone (the server renders without knowing it). A time up to a minute ahead (clocks differ a little)
 * is "just now"; further ahead it says "in N min" or "in N h".
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function relativeTime(then: number, now: number): string {
  const ago = now - then;
  if (!Number.isFinite(ago)) return "";
  if (ago < -MINUTE) {
    const ahead = -ago;
    if (ahead < HOUR) return `in ${Math.floor(ahead / MINUTE)} min`;
    if (ahead < DAY) return `in ${Math.floor(ahead / HOUR)} h`;
    return utcDate(then);
  }
  if (ago < MINUTE) return "just now";
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  if (ago < 2 * DAY) return "yesterday";
  if (ago < 7 * DAY) return `${Math.floor(ago / DAY)} days ago`;
  return utcDate(then);
}

/** `2026-12-07 10:00:00 UTC`: the absolute time, shown on hover. */
export function utcTime(at: number): string {
  if (!Number.isFinite(at)) return "";
  return `${new Date(at).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** `2026-12-07`: older times show their (UTC) date. */
function utcDate(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
