/* global window, document, location, fetch, EventSource, URLSearchParams */
// buildgate board: live updates over Server-Sent Events. Progressive enhancement: every page works
// without this script. Values from the server are set with textContent only (never innerHTML).
(function () {
  "use strict";
  if (!("EventSource" in window)) return;
  var ICONS = { success: "✓", failure: "✗", pending: "●", error: "■" };

  function setState(el, b) {
    el.className = "state tone-" + b.tone;
    el.title = b.state;
    el.textContent = "";
    var icon = document.createElement("span");
    icon.className = "icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = ICONS[b.tone] || "■";
    el.appendChild(icon);
    el.appendChild(document.createTextNode(" " + b.state.replace("_", " ")));
  }

  function updateRows(b) {
    var found = document.querySelectorAll('[data-build-id="' + b.id + '"]');
    found.forEach(function (row) {
      var state = row.querySelector('[data-field="state"]');
      if (state) setState(state, b);
      var desc = row.querySelector('[data-field="description"]');
      if (desc) desc.textContent = b.description;
    });
    return found.length > 0;
  }

  // ---- Build lists and dashboard cards (issue 13: the live board is true without a reload) ----
  // Tables carry data-list: "all" (the builds page: new builds go on top), "in-flight" (a finished
  // build leaves, a new one joins), "failures" (a new failure joins). Cards carry data-lane-key and
  // their items data-route: a lane's new build takes its route's place, a new lane gets a card.
  var LIMITS = { "in-flight": 20, failures: 10 };

  function el(tag, text, className) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (className) e.className = className;
    return e;
  }

  function timeOf(iso) {
    var T = window.buildgateTime;
    if (T) return T.timeElement(iso);
    var t = el("time", "just now");
    t.setAttribute("datetime", iso);
    return t;
  }

  function stateOf(b) {
    var span = el("span");
    span.setAttribute("data-field", "state");
    setState(span, b);
    return span;
  }

  function causeOf(f) {
    if (!f || (!f.command && !f.reason)) return null;
    var p = el("p", "Cause in ", "cause");
    p.setAttribute("data-field", "failure");
    p.appendChild(el("strong", f.phase));
    if (f.command) {
      p.appendChild(document.createTextNode(": "));
      p.appendChild(el("code", f.command, "command"));
      if (f.reason) p.appendChild(document.createTextNode(" (" + f.reason + ")"));
    } else p.appendChild(document.createTextNode(": " + f.reason));
    return p;
  }

  function cellOf(child) {
    var td = el("td");
    td.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    return td;
  }

  /** The markup of views/partials/build-row.ejs. */
  function buildRow(b, withCause) {
    var tr = el("tr", null, "fresh");
    tr.setAttribute("data-build-id", String(b.id));
    var a = el("a", "#" + b.id);
    a.href = "/builds/" + encodeURIComponent(String(b.id));
    tr.appendChild(cellOf(a));
    tr.appendChild(cellOf(stateOf(b)));
    tr.appendChild(cellOf(b.route));
    tr.appendChild(cellOf(b.repository));
    var lane = cellOf(b.lane);
    if (b.title || b.author) {
      var line = el("span", null, "pr-line");
      if (b.title) line.appendChild(el("span", b.title, "pr-title"));
      if (b.author) { line.appendChild(document.createTextNode(" ")); line.appendChild(el("span", "by " + b.author, "muted")); }
      lane.appendChild(document.createTextNode(" "));
      lane.appendChild(line);
    }
    tr.appendChild(lane);
    tr.appendChild(cellOf(el("code", b.shortSha)));
    var desc = el("span", b.description);
    desc.setAttribute("data-field", "description");
    var status = cellOf(desc);
    var cause = withCause ? causeOf(b.failure) : null;
    if (cause) status.appendChild(cause);
    tr.appendChild(status);
    tr.appendChild(cellOf(timeOf(b.createdAt)));
    return tr;
  }

  function rowIn(table, id) {
    var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
    for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute("data-build-id") === String(id)) return rows[i];
    return null;
  }

  // The "Nothing is building." note sits after the table (or after its scrolling wrapper).
  function emptyNote(table) {
    var box = table.parentElement && table.parentElement.classList.contains("table-scroll") ? table.parentElement : table;
    var next = box.nextElementSibling;
    return { box: box, note: next && next.classList.contains("empty") ? next : null };
  }

  /** Inserts a row in id order (newest first); beyond `max` rows the oldest goes. */
  function insertRow(table, b, max, withCause) {
    var body = table.tBodies[0];
    if (!body) return;
    var before = null;
    for (var i = 0; i < body.rows.length; i++) {
      if (Number(body.rows[i].getAttribute("data-build-id")) < b.id) { before = body.rows[i]; break; }
    }
    if (!before && max && body.rows.length >= max) return;
    body.insertBefore(buildRow(b, withCause), before);
    while (max && body.rows.length > max) body.deleteRow(body.rows.length - 1);
    var e = emptyNote(table);
    if (e.note) e.note.remove();
  }

  function removeRow(table, row) {
    row.remove();
    if (table.tBodies[0] && table.tBodies[0].rows.length === 0) {
      var e = emptyNote(table);
      if (!e.note && table.getAttribute("data-empty")) e.box.insertAdjacentElement("afterend", el("p", table.getAttribute("data-empty"), "empty"));
    }
  }

  function applyToLists(b, filtered) {
    document.querySelectorAll("table[data-list]").forEach(function (table) {
      var list = table.getAttribute("data-list");
      var row = rowIn(table, b.id);
      if (list === "in-flight") {
        if (b.inFlight && !row) insertRow(table, b, LIMITS[list], false);
        else if (!b.inFlight && row) removeRow(table, row);
      } else if (list === "failures") {
        if (b.failed && !row) insertRow(table, b, LIMITS[list], true);
      } else if (!row && !filtered && b.state !== "skipped") insertRow(table, b, 0, false);
    });
  }

  /** The markup of one item of views/partials/lane-card.ejs. */
  function laneItem(b) {
    var li = el("li", null, "fresh");
    li.setAttribute("data-build-id", String(b.id));
    li.setAttribute("data-route", b.route);
    li.appendChild(stateOf(b));
    li.appendChild(document.createTextNode(" "));
    var a = el("a", b.route);
    a.href = "/builds/" + encodeURIComponent(String(b.id));
    li.appendChild(a);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("code", b.shortSha));
    li.appendChild(document.createTextNode(" "));
    var desc = el("span", b.description, "muted");
    desc.setAttribute("data-field", "description");
    li.appendChild(desc);
    li.appendChild(document.createTextNode(" "));
    var when = el("span", null, "when");
    when.appendChild(timeOf(b.createdAt));
    li.appendChild(when);
    return li;
  }

  function laneCard(b) {
    var card = el("article", null, "lane");
    card.setAttribute("data-lane-key", b.laneKey);
    var h = el("h3");
    var a = el("a", null, "lane-link");
    a.href = "/builds?" + new URLSearchParams({ repository: b.repository, ref: b.lane }).toString();
    a.appendChild(el("span", b.repository, "repo"));
    a.appendChild(document.createTextNode(" "));
    a.appendChild(el("span", b.lane, "lane-name"));
    h.appendChild(a);
    card.appendChild(h);
    card.appendChild(el("ul"));
    return card;
  }

  function setCardTitle(card, b) {
    if (!b.title || card.querySelector('[data-field="title"]')) return;
    var p = el("p", null, "pr-card");
    var t = el("span", b.title, "pr-title");
    t.setAttribute("data-field", "title");
    p.appendChild(t);
    if (b.author) { p.appendChild(document.createTextNode(" ")); p.appendChild(el("span", "by " + b.author, "muted")); }
    card.querySelector("h3").insertAdjacentElement("afterend", p);
  }

  function applyToLanes(b) {
    var lanes = document.querySelector('[data-live="lanes"]');
    if (!lanes || !b.laneKey) return;
    var card = null;
    lanes.querySelectorAll("[data-lane-key]").forEach(function (c) { if (c.getAttribute("data-lane-key") === b.laneKey) card = c; });
    if (!card) {
      card = laneCard(b);
      var none = lanes.previousElementSibling;
      if (none && none.classList.contains("empty")) none.remove();
    }
    setCardTitle(card, b);
    var list = card.querySelector("ul");
    var items = list.querySelectorAll("li[data-route]");
    var same = null;
    var after = null;
    items.forEach(function (li) {
      var route = li.getAttribute("data-route");
      if (route === b.route) same = li;
      else if (route > b.route && !after) after = li;
    });
    if (same && Number(same.getAttribute("data-build-id")) >= b.id) return; // this build, or an older one's late update
    if (same) list.replaceChild(laneItem(b), same);
    else list.insertBefore(laneItem(b), after);
    // A lane with a new build moves to the front, as the dashboard orders them.
    if (lanes.firstElementChild !== card) lanes.insertBefore(card, lanes.firstElementChild);
  }

  function refreshPhases(id) {
    fetch("/api/builds/" + encodeURIComponent(id), { headers: { accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        data.phases.forEach(function (p) {
          var row = document.querySelector('tr[data-phase="' + p.type + '"]');
          if (!row) return;
          row.className = "phase tone-" + p.tone;
          row.querySelector('[data-field="status"]').textContent = p.status.replace("_", " ").toLowerCase();
          row.querySelector('[data-field="duration"]').textContent = p.duration;
        });
      });
  }

  var page = document.querySelector("[data-build-page]");
  // Only pages that show builds listen (not the sign-in or error pages, where /events answers 401).
  if (!page && !document.querySelector('[data-live="builds"], [data-build-id]')) return;
  // A filtered or older page does not take new builds on top: they may not belong there.
  var filtered = /[?&](before|repository|route|ref|state)=[^&]/.test(location.search);
  var source = new EventSource("/events");
  source.addEventListener("build", function (ev) {
    var b = JSON.parse(ev.data);
    updateRows(b);
    if (!page) {
      applyToLists(b, filtered);
      applyToLanes(b);
    }
    if (page && page.getAttribute("data-build-page") === String(b.id)) refreshPhases(b.id);
  });
})();
