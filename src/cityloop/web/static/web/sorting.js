/* The garbage-sorting dashboard: the map of collection points coloured by correct-sorting
 * rate, the 30-day trends (today, still under way, drawn apart) and the month's ranking of
 * child units, fetched from the JSON data endpoints and refreshed every config.refresh
 * seconds (the indicator panel is an HTMX panel polling on its own). Configuration comes from the json_script block "sorting-config"; no
 * inline script (CSP).
 */
(function () {
  "use strict";
  var configElement = document.getElementById("sorting-config");
  if (!configElement) return;
  var config = JSON.parse(configElement.textContent);
  var labels = config.labels;
  var COLORS = { good: "#1b8a4b", fair: "#c77700", poor: "#c62828", none: "#7a8794" };
  var TYPE_COLORS = { kitchen: "#2e7d32", recyclable: "#1565c0", hazardous: "#c62828", other: "#616161" };
  var RATE_COLORS = ["#2e7d32", "#1565c0", "#7b5cb8", "#c77700", "#00838f", "#8d6e63"];
  var period = "month";

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }
  function withParam(url, key, value) {
    return url + (url.indexOf("?") < 0 ? "?" : "&") + key + "=" + encodeURIComponent(value);
  }
  function stamp() {
    var el = document.getElementById("sorting-updated");
    if (el) {
      var now = new Date();
      el.textContent = now.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
      el.setAttribute("datetime", now.toISOString());
      el.classList.remove("is-stale");
    }
  }
  function band(rate) {
    if (rate === null || rate === undefined) return "none";
    if (rate >= config.bands.good) return "good";
    if (rate >= config.bands.fair) return "fair";
    return "poor";
  }

  /* ---- map -------------------------------------------------------------------------- */
  var mapElement = document.getElementById("sorting-map");
  var sortingMap = mapElement && window.L && window.CityLoopMap
    ? CityLoopMap.create(mapElement, config.map, { canvas: false, layers: ["district", "streets", "communities"] })
    : null;
  var pointLayer = null;
  var note = document.getElementById("sorting-map-note");
  var fitted = false;

  function popup(p) {
    /* p = [code, lon, lat, rate %, disposals, name]: built as DOM nodes, never as HTML. */
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = config.urls.point.replace("CODE", encodeURIComponent(p[0]));
    link.textContent = p[0] + " " + p[5];
    box.appendChild(link);
    var line = document.createElement("div");
    line.textContent = labels.rate + " " + (p[3] === null ? "—" : p[3] + "%") + " · " + p[4] + " " + labels.disposals;
    box.appendChild(line);
    return box;
  }
  function refreshMap() {
    if (!sortingMap) return Promise.resolve();
    return getJson(withParam(config.urls.points, "period", period)).then(function (data) {
      if (pointLayer) sortingMap.map.removeLayer(pointLayer);
      var items = data.points.map(function (p) {
        return { lon: p[1], lat: p[2], color: COLORS[band(p[3])], popup: popup(p) };
      });
      pointLayer = sortingMap.addPoints(items, { radius: 7, weight: 1.5 });
      if (!fitted && items.length) {
        fitted = true;
        var bounds = L.latLngBounds(items.map(function (it) { return sortingMap.toDisplay(it.lon, it.lat); }));
        sortingMap.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16, animate: false });
      }
      if (note) {
        note.textContent = data.count + " " + labels.points + " · " +
          labels.good + " " + data.bands.good + " · " + labels.fair + " " + data.bands.fair + " · " +
          labels.poor + " " + data.bands.poor + " · " + labels.none + " " + data.bands.none;
      }
      mapElement.setAttribute("data-points", String(data.count));
    });
  }

  /* ---- charts ----------------------------------------------------------------------- */
  var charts = {};
  ["rates", "tonnes", "ranking"].forEach(function (name) {
    var el = document.getElementById("chart-" + name);
    if (el && window.echarts) charts[name] = echarts.init(el, null, { renderer: "canvas" });
  });
  var AXIS = { axisLabel: { color: "#5b6b7c" }, axisLine: { lineStyle: { color: "#c5ced8" } } };
  function percent(v) { return v === null || v === undefined ? "—" : v + "%"; }

  /* The day under way (trend.partial: today, its figures so far) is drawn apart from the whole
   * days: its line segment is dashed with a hollow point, its bars are pale, and a note above
   * the plot says "- - today so far (to HH:MM)"; the tooltip names it so. Whole days are drawn
   * as before. */
  function dayAxis(t) {
    var last = t.days.length - 1;
    return Object.assign({ type: "category", data: t.days.map(function (d) { return d.slice(5); }) }, AXIS, {
      axisLabel: { color: "#5b6b7c", interval: function (i) { return (last - i) % 5 === 0; } }
    });
  }
  function partialNote(t) {
    if (!t.partial) return [];
    return [{
      type: "text", right: 12, top: 24, silent: true,
      style: { text: "- - " + t.partial.label, fill: "#5b6b7c", font: "11px sans-serif" }
    }];
  }
  function split(values, cut) {
    /* [whole days (null from the cut on), the dashed tail from the last whole day on] */
    var whole = values.map(function (v, i) { return i < cut ? v : null; });
    var tail = values.map(function (v, i) { return i >= cut - 1 ? v : null; });
    return [whole, tail];
  }
  function axisTooltip(t, format) {
    return function (params) {
      if (!params.length) return "";
      var seen = {}, lines = [t.partial && params[0].dataIndex >= t.partial.index ? t.partial.label : t.days[params[0].dataIndex]];
      params.forEach(function (p) {
        if (seen[p.seriesName] || p.value === null || p.value === undefined) return;
        seen[p.seriesName] = true;
        lines.push(p.marker + p.seriesName + " " + format(p.value));
      });
      return lines.join("<br>");
    };
  }
  function rateSeries(t) {
    var cut = t.partial ? t.partial.index : t.days.length;
    var series = [];
    Object.keys(t.rates).forEach(function (n, i) {
      var color = RATE_COLORS[i % RATE_COLORS.length], name = labels.rates[n] || n;
      var parts = split(t.rates[n], cut);
      series.push({ type: "line", name: name, data: parts[0], connectNulls: false, showSymbol: false, lineStyle: { width: 2 }, itemStyle: { color: color } });
      if (t.partial) {
        series.push({
          type: "line", name: name, id: n + "-partial", data: parts[1], connectNulls: false,
          showSymbol: true, symbol: "emptyCircle", symbolSize: 7, lineStyle: { width: 2, type: "dashed" },
          itemStyle: { color: color }
        });
      }
    });
    return series;
  }
  function tonnesSeries(t) {
    var cut = t.partial ? t.partial.index : t.days.length;
    return Object.keys(t.collected_t).map(function (ty) {
      var data = t.collected_t[ty].map(function (v, i) {
        return i < cut ? v : { value: v, itemStyle: { opacity: 0.35, borderType: "dashed", borderColor: TYPE_COLORS[ty], borderWidth: 1 } };
      });
      return { type: "bar", stack: "t", name: labels.types[ty] || ty, data: data, itemStyle: { color: TYPE_COLORS[ty] }, barMaxWidth: 14 };
    });
  }
  function drawCharts(data) {
    var t = data.trend;
    if (charts.rates) {
      charts.rates.setOption({
        grid: { left: 8, right: 12, top: 48, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", formatter: axisTooltip(t, percent) },
        legend: { type: "scroll", top: 0, textStyle: { fontSize: 11 } },
        xAxis: dayAxis(t),
        graphic: partialNote(t),
        yAxis: Object.assign({ type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%", color: "#5b6b7c" }, splitLine: { lineStyle: { color: "#eef1f4" } } }),
        series: rateSeries(t)
      }, true);
    }
    if (charts.tonnes) {
      charts.tonnes.setOption({
        grid: { left: 8, right: 12, top: t.partial ? 48 : 32, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: axisTooltip(t, function (v) { return v + " t"; }) },
        legend: { top: 0, textStyle: { fontSize: 11 } },
        xAxis: dayAxis(t),
        graphic: partialNote(t),
        yAxis: Object.assign({ type: "value", name: "t", splitLine: { lineStyle: { color: "#eef1f4" } } }, AXIS),
        series: tonnesSeries(t)
      }, true);
    }
    if (charts.ranking) {
      var rows = data.ranking;
      charts.ranking.setOption({
        grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: percent },
        xAxis: Object.assign({ type: "value", min: 0, max: 100, splitLine: { lineStyle: { color: "#eef1f4" } } }, AXIS),
        yAxis: Object.assign({ type: "category", inverse: true, data: rows.map(function (r) { return r.name; }) }, AXIS),
        series: [{
          type: "bar", name: labels.rates[data.by] || data.by, barMaxWidth: 18,
          data: rows.map(function (r) { return { value: r.value, itemStyle: { color: COLORS[band(r.value)] } }; }),
          label: { show: true, position: "right", formatter: function (p) { return p.value === null || p.value === undefined ? "—" : p.value + "%"; } }
        }]
      }, true);
    }
  }
  function refreshCharts() {
    return getJson(config.urls.charts).then(drawCharts);
  }

  Array.prototype.forEach.call(document.querySelectorAll(".sorting-map-panel .period-button"), function (button) {
    button.addEventListener("click", function () {
      period = button.getAttribute("data-period");
      Array.prototype.forEach.call(document.querySelectorAll(".sorting-map-panel .period-button"), function (b) {
        b.classList.toggle("is-active", b === button);
        b.setAttribute("aria-pressed", b === button ? "true" : "false");
      });
      refreshMap();
    });
  });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    if (sortingMap) sortingMap.map.invalidateSize();
  });

  /* ---- refresh ---------------------------------------------------------------------- */
  function refreshAll() {
    Promise.all([refreshMap(), refreshCharts()]).then(stamp).catch(function () {
      var el = document.getElementById("sorting-updated");
      if (el) el.classList.add("is-stale");
    });
  }
  refreshAll();
  setInterval(function () { if (!document.hidden) refreshAll(); }, (config.refresh || 60) * 1000);
})();
