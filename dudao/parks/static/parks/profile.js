// Park profile chart: reads the JSON block written by the template (no inline script: CSP).
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("park-chart");
    var source = document.getElementById("park-chart-data");
    var select = document.getElementById("chart-indicator");
    if (!holder || !source || !window.echarts) { return; }
    var series = JSON.parse(source.textContent);
    var chart = window.echarts.init(holder);
    function show(index) {
      var s = series[index];
      chart.setOption({
        tooltip: { trigger: "axis" },
        grid: { left: 70, right: 20, top: 30, bottom: 40 },
        xAxis: { type: "category", data: s.months },
        yAxis: { type: "value", name: s.unit },
        series: [{ name: s.name, type: "bar", data: s.values.map(Number) }]
      }, true);
    }
    show(0);
    if (select) { select.addEventListener("change", function () { show(Number(select.value)); }); }
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else { draw(); }
})();
