// 重大项目 pages. No inline scripts (CSP): data comes from <script type="application/json">.
(function () {
  "use strict";
  function num(v) { return v === null ? null : Number(v); }
  function drawChart() {
    var el = document.getElementById("plan-chart");
    var src = document.getElementById("chart-data");
    if (!el || !src || !window.echarts) { return; }
    var d = JSON.parse(src.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["计划累计", "填报累计", "已审核累计"] },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", name: "万元" },
      series: [
        { name: "计划累计", type: "line", data: d.planned.map(num), lineStyle: { type: "dashed" } },
        { name: "填报累计", type: "bar", data: d.reported.map(num) },
        { name: "已审核累计", type: "line", data: d.approved.map(num) }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  // Grid: Enter in a row's field saves that row, then the keyboard goes on in the next row's
  // first field (back to the same row when the save was refused); arrow up/down moves between
  // rows.
  var afterSave = null;
  function firstField(row) {
    return row ? row.querySelector("input:not([type=hidden]):not([disabled]),select:not([disabled])") : null;
  }
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.closest || !input.closest(".grid-table")) { return; }
    var cell = input.closest("td");
    var row = input.closest("tr");
    if (event.key === "Enter" && input.tagName === "INPUT" && input.type !== "checkbox") {
      afterSave = row.id;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var next = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
      if (next) {
        var target = next.children[cell.cellIndex] && next.children[cell.cellIndex].querySelector("input,select");
        if (target) { event.preventDefault(); target.focus(); }
      }
    }
  });
  // A refused row (422: a rule at source; 409: changed by someone else) still replaces the
  // row, so the Chinese message and the current values are shown in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 409 || status === 422) && event.detail.target.closest(".grid-table")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!afterSave) { return; }
    var row = document.getElementById(afterSave);
    afterSave = null;
    if (!row) { return; }
    var next = row.classList.contains("row-error") ? row : row.nextElementSibling;
    while (next && !firstField(next)) { next = next.nextElementSibling; }
    var target = firstField(next) || firstField(row);
    if (target) { target.focus(); if (target.select) { target.select(); } }
  });
  // Compact grid: smaller rows and type; the choice is kept in this browser.
  function setupCompact() {
    var button = document.getElementById("grid-compact");
    var grid = document.getElementById("grid");
    if (!button || !grid) { return; }
    var key = "dudao.projects.grid.compact";
    function apply(on) {
      grid.classList.toggle("grid-compact", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "标准显示" : "紧凑显示";
    }
    var stored = false;
    try { stored = window.localStorage.getItem(key) === "1"; } catch (e) { stored = false; }
    apply(stored);
    button.addEventListener("click", function () {
      var on = !grid.classList.contains("grid-compact");
      apply(on);
      try { window.localStorage.setItem(key, on ? "1" : "0"); } catch (e) { /* private mode */ }
    });
  }
  document.addEventListener("DOMContentLoaded", drawChart);
  document.addEventListener("DOMContentLoaded", setupCompact);
})();
