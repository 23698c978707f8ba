// Supervisor overview charts: data from the json_script block, colours from the light keys.
(function () {
  "use strict";
  var COLOURS = { red: "#c62828", yellow: "#e0a800", grey: "#9e9e9e", green: "#2e7d32" };
  function init() {
    var node = document.getElementById("sv-chart-data");
    if (!node || typeof echarts === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var pie = document.getElementById("sv-pie");
    if (pie) {
      echarts.init(pie, null, { renderer: "svg" }).setOption({
        animation: false,
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["40%", "70%"], data: data.pie.map(function (p) {
          return { name: p.name, value: p.value, itemStyle: { color: COLOURS[p.key] } };
        }) }]
      });
    }
    var problemPie = document.getElementById("sv-problem-pie");
    if (problemPie && data.problem_pie) {
      echarts.init(problemPie, null, { renderer: "svg" }).setOption({
        animation: false,
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["40%", "70%"], data: data.problem_pie.map(function (p) {
          return { name: p.name, value: p.value, itemStyle: { color: COLOURS[p.key] } };
        }) }]
      });
    }
    var bar = document.getElementById("sv-bar");
    if (bar) {
      echarts.init(bar, null, { renderer: "svg" }).setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        legend: {},
        grid: { left: 40, right: 20, bottom: 80 },
        xAxis: { type: "category", data: data.units, axisLabel: { rotate: 40 } },
        yAxis: { type: "value", minInterval: 1 },
        series: data.series.map(function (s) {
          return { name: s.name, type: "bar", stack: "n", data: s.data, itemStyle: { color: COLOURS[s.key] } };
        })
      });
    }
  }
  document.addEventListener("DOMContentLoaded", init);
})();
