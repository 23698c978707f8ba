// Leaders' cockpit: sparklines and the county map, drawn from the JSON block the page writes
// (no inline script: CSP). window.DudaoCockpit.render(data) redraws them (the wall screen).
(function () {
  "use strict";
  var charts = [];
  var mapChart = null;
  var outlineLoaded = {};
  var GOOD_HIGH = ["#c62828", "#b58100", "#1a7f37"];
  var GOOD_LOW = ["#1a7f37", "#b58100", "#c62828"];

  function dark() { return document.body.classList.contains("ck-wall"); }

  function sparklines(data) {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    var items = (data.kpis && data.kpis.items) || [];
    document.querySelectorAll("[data-spark]").forEach(function (holder) {
      var item = items[Number(holder.getAttribute("data-spark"))];
      if (!item || !item.series.length) { return; }
      var chart = window.echarts.init(holder);
      chart.setOption({
        animation: false,
        grid: { left: 2, right: 2, top: 4, bottom: 2 },
        tooltip: { trigger: "axis", confine: true, valueFormatter: function (v) { return v + item.unit; } },
        xAxis: { type: "category", show: false, data: item.months },
        yAxis: { type: "value", show: false, scale: true },
        series: [{ type: "line", data: item.series.map(Number), symbol: "none",
          lineStyle: { width: 2, color: dark() ? "#5ab0ff" : "#1456c8" },
          areaStyle: { opacity: 0.12 } }]
      });
      charts.push(chart);
    });
  }

  function metricOf(data) {
    var select = document.getElementById("ck-metric");
    var code = select ? select.value : "rate";
    var metric = data.map.metrics.filter(function (m) { return m.code === code; })[0];
    return metric || data.map.metrics[0];
  }

  function visual(values, code) {
    var nums = values.filter(function (v) { return v !== null; });
    var min = nums.length ? Math.min.apply(null, nums) : 0;
    var max = nums.length ? Math.max.apply(null, nums) : 1;
    if (min === max) { max = min + 1; }
    return { show: false, min: min, max: max, dimension: 2,
      inRange: { color: code === "rate" ? GOOD_HIGH : GOOD_LOW },
      outOfRange: { color: "#8a8f99" } };
  }

  function drawGrid(holder, data, metric) {
    var squares = data.map.squares;
    var maxX = 0, maxY = 0;
    squares.forEach(function (s) { maxX = Math.max(maxX, s.x); maxY = Math.max(maxY, s.y); });
    var size = Math.floor(Math.min(holder.clientWidth / (maxX + 1), holder.clientHeight / (maxY + 1)) * 0.92);
    var points = squares.map(function (s) {
      var raw = s.metrics[metric.code];
      return { name: s.name, url: s.url, value: [s.x, s.y, raw === null ? 0 : Number(raw)], shown: raw };
    });
    var known = points.filter(function (p) { return p.shown !== null; });
    var unknown = points.filter(function (p) { return p.shown === null; });
    var vm = visual(known.map(function (p) { return p.value[2]; }), metric.code);
    vm.seriesIndex = 0;
    var label = { show: true, color: "#fff", fontSize: size > 70 ? 14 : 11,
      formatter: function (p) { return p.data.name + "\n" + (p.data.shown === null ? "—" : p.data.shown + (metric.unit.length <= 1 ? metric.unit : "")); } };
    var border = { borderColor: dark() ? "#0b1a2e" : "#fff", borderWidth: 2 };
    var symbolSize = Math.max(size, 24);
    mapChart.setOption({
      animation: false,
      tooltip: { formatter: function (p) {
        return p.data.name + "<br>" + metric.label + "：" + (p.data.shown === null ? "—" : p.data.shown + metric.unit);
      } },
      grid: { left: 4, right: 4, top: 4, bottom: 4 },
      xAxis: { type: "value", show: false, min: -0.5, max: maxX + 0.5 },
      yAxis: { type: "value", show: false, min: -0.5, max: maxY + 0.5, inverse: true },
      visualMap: vm,
      series: [
        { type: "scatter", symbol: "roundRect", symbolSize: symbolSize, data: known, label: label, itemStyle: border },
        { type: "scatter", symbol: "roundRect", symbolSize: symbolSize, data: unknown, label: label,
          itemStyle: { color: "#8a8f99", borderColor: border.borderColor, borderWidth: 2 } }
      ]
    }, true);
  }

  function drawOutline(data, metric) {
    var values = data.map.squares.map(function (s) {
      var raw = s.metrics[metric.code];
      return { name: s.name, url: s.url, value: raw === null ? null : Number(raw), shown: raw };
    });
    var vm = visual(values.map(function (v) { return v.value; }), metric.code);
    vm.dimension = undefined;
    mapChart.setOption({
      animation: false,
      tooltip: { formatter: function (p) {
        var shown = p.data && p.data.shown !== null && p.data.shown !== undefined ? p.data.shown + metric.unit : "—";
        return p.name + "<br>" + metric.label + "：" + shown;
      } },
      visualMap: vm,
      series: [{ type: "map", map: "dudao-outline", roam: false, data: values,
        label: { show: true }, itemStyle: { borderColor: "#fff" } }]
    }, true);
  }

  function map(data) {
    var holder = document.getElementById("ck-map");
    if (!holder || !data.map) { return; }
    if (!mapChart) {
      mapChart = window.echarts.init(holder);
      mapChart.on("click", function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
      var select = document.getElementById("ck-metric");
      if (select) { select.addEventListener("change", function () { map(current); }); }
    }
    var metric = metricOf(data);
    var url = data.map.outline_url;
    if (url && outlineLoaded[url] === true) { drawOutline(data, metric); return; }
    if (url && outlineLoaded[url] === undefined) {
      outlineLoaded[url] = false;
      fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      }).then(function (geo) {
        window.echarts.registerMap("dudao-outline", geo);
        outlineLoaded[url] = true;
        map(current);
      }).catch(function () { outlineLoaded[url] = "failed"; });
    }
    drawGrid(holder, data, metric);
  }

  var current = null;
  function render(data) {
    current = data;
    if (!window.echarts) { return; }
    sparklines(data);
    map(data);
  }

  window.DudaoCockpit = { render: render };
  function start() {
    var source = document.getElementById("cockpit-data");
    if (source) { render(JSON.parse(source.textContent)); }
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
      if (mapChart) { mapChart.resize(); if (current) { map(current); } }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
