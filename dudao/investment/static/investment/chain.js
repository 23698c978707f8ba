// Industry chain map: reads the JSON block written by the template (no inline script: CSP).
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("chain-chart");
    var source = document.getElementById("chain-graph");
    if (!holder || !source || !window.echarts) { return; }
    var graph = JSON.parse(source.textContent);
    var chart = window.echarts.init(holder);
    chart.setOption({
      tooltip: { formatter: function (p) { return p.data && p.data.tip ? p.data.name + "：" + p.data.tip : p.name; } },
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        force: { repulsion: 260, edgeLength: [60, 120] },
        label: { show: true, position: "right" },
        data: graph.nodes, links: graph.links,
        lineStyle: { color: "#9aa7b8" }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else { draw(); }
})();
