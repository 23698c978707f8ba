// The provincial comparison bar chart (ECharts). Data from the json_script "comparison-data";
// our city's label and bars are drawn in the brand red. No inline script (CSP).
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("comparison-chart");
    var source = document.getElementById("comparison-data");
    if (!el || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var colours = ["#1456c8", "#1a7f37", "#b58100"];
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 60 },
      xAxis: {
        type: "category",
        data: data.cities,
        axisLabel: {
          interval: 0, rotate: data.cities.length > 10 ? 35 : 0,
          formatter: function (value, index) { return data.ours[index] ? "{ours|" + value + "}" : value; },
          rich: { ours: { color: "#b7191d", fontWeight: "bold" } }
        }
      },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s, i) {
        return {
          name: s.name, type: "bar",
          data: s.data.map(function (v, j) {
            return data.ours[j]
              ? { value: v, itemStyle: { color: "#b7191d", borderColor: "#8f1216", borderWidth: 1, opacity: 1 - i * 0.25 } }
              : v;
          }),
          itemStyle: { color: colours[i % colours.length] }
        };
      })
    });
    el.setAttribute("data-rendered", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
