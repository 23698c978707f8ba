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
  // Grid: Enter in a row's field saves that row; arrow up/down moves between rows.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.closest || !input.closest(".grid-table")) { return; }
    var cell = input.closest("td");
    var row = input.closest("tr");
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
  document.addEventListener("DOMContentLoaded", drawChart);
})();
