// 大屏: rotate the tiles, refetch the cockpit API every N seconds without reloading the page,
// and keep the last good figures (with their time) when a refresh fails.
(function () {
  "use strict";
  function get(data, path) {
    return path.split(".").reduce(function (v, key) {
      return v === null || v === undefined ? undefined : v[key];
    }, data);
  }
  function text(v) { return v === null || v === undefined ? "—" : String(v); }

  function fill(data) {
    document.querySelectorAll("[data-field]").forEach(function (el) {
      var v = get(data, el.getAttribute("data-field"));
      if (v !== undefined) { el.textContent = text(v); }
    });
    document.querySelectorAll("[data-list]").forEach(function (body) {
      var rows = get(data, body.getAttribute("data-list"));
      if (!Array.isArray(rows)) { return; }
      var cols = body.getAttribute("data-cols").split(",");
      body.textContent = "";
      rows.forEach(function (row) {
        var tr = document.createElement("tr");
        if (row.own) { tr.className = "ck-own"; }
        cols.forEach(function (col) {
          var many = col.charAt(col.length - 1) === "*";
          var values = many ? row[col.slice(0, -1)] : [row[col]];
          values.forEach(function (v) {
            var td = document.createElement("td");
            if (typeof v === "number" || col === "score" || col === "rank") { td.className = "num"; }
            td.textContent = text(v);
            tr.appendChild(td);
          });
        });
        body.appendChild(tr);
      });
    });
  }

  function clock(iso) {
    var m = /T(\d\d:\d\d:\d\d)/.exec(iso || "");
    return m ? m[1] : "";
  }

  function start() {
    var body = document.body;
    var api = body.getAttribute("data-api");
    var refresh = Math.max(5, Number(body.getAttribute("data-refresh")) || 60) * 1000;
    var rotate = Math.max(3, Number(body.getAttribute("data-rotate")) || 15) * 1000;
    var updated = document.getElementById("ck-updated");
    var offline = document.getElementById("ck-offline");
    // Rotation: the indicators stay; the other tiles take turns.
    var tiles = Array.prototype.slice.call(document.querySelectorAll(".ck-wall-body .ck-tile:not(.ck-kpis)"));
    var index = 0;
    function show() {
      tiles.forEach(function (t, i) { t.classList.toggle("ck-current", i === index % tiles.length || i === (index + 1) % tiles.length); });
      window.dispatchEvent(new Event("resize"));
    }
    if (tiles.length) { show(); window.setInterval(function () { index += 1; show(); }, rotate); }

    function poll() {
      fetch(api, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
        .then(function (r) {
          if (!r.ok) { throw new Error(String(r.status)); }
          return r.json();
        })
        .then(function (data) {
          fill(data);
          if (window.DudaoCockpit) { window.DudaoCockpit.render(data); }
          updated.textContent = "数据更新于 " + clock(data.generated_at);
          offline.hidden = true;
          body.setAttribute("data-refreshed", String(Date.now()));
        })
        .catch(function () { offline.hidden = false; })
        .then(function () { window.setTimeout(poll, refresh); });
    }
    window.setTimeout(poll, refresh);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
