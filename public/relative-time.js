/* global window, document */
// buildgate board: relative times ("3 min ago") kept fresh. The server renders every
// <time data-relative datetime="…" title="… UTC"> with the same text; this script re-renders it from
// the datetime attribute every 30 s, so a page left open does not say "just now" for an hour.
// Progressive enhancement: without it, the server's text stays and the absolute time is on hover.
// relativeTime mirrors src/domain/relative-time.ts (test/unit/domain/relative-time.test.ts runs
// both against one table).
(function () {
  "use strict";
  var MINUTE = 60000;
  var HOUR = 60 * MINUTE;
  var DAY = 24 * HOUR;

  function utcDate(at) {
    return new Date(at).toISOString().slice(0, 10);
  }

  function relativeTime(then, now) {
    var ago = now - then;
    if (!isFinite(ago)) return "";
    if (ago < -MINUTE) {
      var ahead = -ago;
      if (ahead < HOUR) return "in " + Math.floor(ahead / MINUTE) + " min";
      if (ahead < DAY) return "in " + Math.floor(ahead / HOUR) + " h";
      return utcDate(then);
    }
    if (ago < MINUTE) return "just now";
    if (ago < HOUR) return Math.floor(ago / MINUTE) + " min ago";
    if (ago < DAY) return Math.floor(ago / HOUR) + " h ago";
    if (ago < 2 * DAY) return "yesterday";
    if (ago < 7 * DAY) return Math.floor(ago / DAY) + " days ago";
    return utcDate(then);
  }

  function utcTime(at) {
    if (!isFinite(at)) return "";
    return new Date(at).toISOString().slice(0, 19).replace("T", " ") + " UTC";
  }

  /** Re-renders every relative <time> under `root` (the document by default). */
  function refresh(root) {
    var now = Date.now();
    (root || document).querySelectorAll("time[data-relative][datetime]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("datetime"));
      if (!isFinite(at)) return;
      var text = relativeTime(at, now);
      if (el.textContent !== text) el.textContent = text;
    });
  }

  /** A new relative <time> for `iso` (board.js uses it for rows that arrive live). */
  function timeElement(iso) {
    var el = document.createElement("time");
    el.setAttribute("datetime", iso);
    el.setAttribute("data-relative", "");
    var at = Date.parse(iso);
    if (isFinite(at)) {
      el.title = utcTime(at);
      el.textContent = relativeTime(at, Date.now());
    }
    return el;
  }

  window.buildgateTime = { relativeTime: relativeTime, utcTime: utcTime, refresh: refresh, timeElement: timeElement };
  if (typeof document === "undefined" || !document.addEventListener) return;
  document.addEventListener("DOMContentLoaded", function () {
    refresh();
    window.setInterval(refresh, 30000);
  });
})();
