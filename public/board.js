/* global window, document, location, fetch, EventSource */
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

  function cell(text, code) {
    var td = document.createElement("td");
    if (code) {
      var c = document.createElement("code");
      c.textContent = text;
      td.appendChild(c);
    } else td.textContent = text;
    return td;
  }

  // A build this page has not seen yet goes on top of the first live builds table.
  function addRow(b) {
    var table = document.querySelector('table[data-live="builds"] tbody');
    if (!table || b.state === "skipped") return;
    var tr = document.createElement("tr");
    tr.setAttribute("data-build-id", String(b.id));
    tr.className = "fresh";
    var first = document.createElement("td");
    var a = document.createElement("a");
    a.href = "/builds/" + encodeURIComponent(String(b.id));
    a.textContent = "#" + b.id;
    first.appendChild(a);
    tr.appendChild(first);
    var st = document.createElement("td");
    var span = document.createElement("span");
    span.setAttribute("data-field", "state");
    setState(span, b);
    st.appendChild(span);
    tr.appendChild(st);
    tr.appendChild(cell(b.route));
    tr.appendChild(cell(b.repository));
    tr.appendChild(cell(b.lane));
    tr.appendChild(cell(b.shortSha, true));
    var d = cell(b.description);
    d.setAttribute("data-field", "description");
    tr.appendChild(d);
    tr.appendChild(cell("just now"));
    table.insertBefore(tr, table.firstChild);
    var empty = table.closest("table").nextElementSibling;
    if (empty && empty.classList.contains("empty")) empty.remove();
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
    if (!updateRows(b) && !page && !filtered) addRow(b);
    if (page && page.getAttribute("data-build-page") === String(b.id)) refreshPhases(b.id);
  });
})();
