/* The command centre page: the map of open cases and the four charts, refreshed from the
 * JSON data endpoints every config.refresh seconds (the figures and the overdue list are
 * HTMX panels that poll on their own). Configuration comes from the json_script block
 * "centre-config"; no inline script (CSP).
 */
(function () {
  "use strict";
  var configElement = document.getElementById("centre-config");
  if (!configElement) return;
  var config = JSON.parse(configElement.textContent);
  var labels = config.labels;
  var COLORS = { on_time: "#1b8a4b", warning: "#c77700", overdue: "#c62828", stopped: "#7a8794" };
  var period = "month";

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }
  function stamp() {
    var el = document.getElementById("centre-updated");
    if (el) {
      var now = new Date();
      el.textContent = now.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
      el.setAttribute("datetime", now.toISOString());
    }
  }

  /* ---- map -------------------------------------------------------------------------- */
  var mapElement = document.getElementById("centre-map");
  var centreMap = mapElement && window.L && window.CityLoopMap
    ? CityLoopMap.create(mapElement, config.map, { canvas: true })
    : null;
  function bbox() {
    /* The view as "west,south,east,north" in WGS-84 (a little wider: GCJ-02 shifts ~500 m). */
    var b = centreMap.map.getBounds();
    var sw = centreMap.toWgs84(b.getSouthWest()), ne = centreMap.toWgs84(b.getNorthEast());
    var pad = 0.005, r = function (v) { return v.toFixed(5); };
    return [r(Math.max(-180, sw.lon - pad)), r(Math.max(-90, sw.lat - pad)),
            r(Math.min(180, ne.lon + pad)), r(Math.min(90, ne.lat + pad))].join(",");
  }
  var caseLayer = centreMap ? L.layerGroup().addTo(centreMap.map) : null;
  var note = document.getElementById("centre-map-note");

  function caseMarker(point) {
    var ticket = point[0], clock = point[3];
    var marker = L.circleMarker(centreMap.toDisplay(point[1], point[2]), {
      radius: 6, weight: 1, color: "#fff", fillColor: COLORS[clock] || COLORS.stopped, fillOpacity: 0.95
    });
    var link = document.createElement("a");
    link.href = "/cases/" + encodeURIComponent(ticket) + "/";
    link.textContent = ticket + " · " + (labels[clock] || clock);
    marker.bindPopup(link);
    return marker;
  }
  function clusterMarker(cluster) {
    var count = cluster[2], worst = cluster[5] ? "overdue" : cluster[4] ? "warning" : cluster[3] ? "on_time" : "stopped";
    var size = Math.round(22 + Math.min(26, Math.sqrt(count) * 3));
    var icon = L.divIcon({
      className: "case-cluster case-cluster-" + worst,
      html: "<span>" + count + "</span>",
      iconSize: [size, size]
    });
    var marker = L.marker(centreMap.toDisplay(cluster[0], cluster[1]), { icon: icon, keyboard: false });
    marker.bindTooltip(
      labels.on_time + " " + cluster[3] + " · " + labels.warning + " " + cluster[4] + " · " + labels.overdue + " " + cluster[5]
    );
    marker.on("click", function () { centreMap.map.setView(marker.getLatLng(), centreMap.map.getZoom() + 2); });
    return marker;
  }
  function refreshMap() {
    if (!centreMap) return Promise.resolve();
    return getJson(config.urls.cases + "?bbox=" + bbox()).then(function (data) {
      caseLayer.clearLayers();
      if (data.mode === "points") data.points.forEach(function (p) { caseMarker(p).addTo(caseLayer); });
      else data.clusters.forEach(function (c) { clusterMarker(c).addTo(caseLayer); });
      if (note) note.textContent = data.count + " " + labels.cases;
    });
  }
  if (centreMap) {
    var moveTimer = null;
    centreMap.map.on("moveend", function () {
      clearTimeout(moveTimer);
      moveTimer = setTimeout(refreshMap, 250);
    });
  }

  /* ---- charts ----------------------------------------------------------------------- */
  var charts = {};
  ["category", "source", "street", "hour"].forEach(function (name) {
    var el = document.getElementById("chart-" + name);
    if (el && window.echarts) charts[name] = echarts.init(el, null, { renderer: "canvas" });
  });
  var AXIS = { axisLabel: { color: "#5b6b7c" }, axisLine: { lineStyle: { color: "#c5ced8" } } };
  function barOption(names, values, color, horizontal) {
    var category = Object.assign({ type: "category", data: names, inverse: !!horizontal }, AXIS);
    var value = Object.assign({ type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef1f4" } } }, AXIS);
    return {
      grid: { left: 8, right: 16, top: 12, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{ type: "bar", data: values, itemStyle: { color: color }, barMaxWidth: 22, name: labels.reported }]
    };
  }
  function drawCharts(data) {
    if (charts.category) {
      var cats = data.by_category;
      charts.category.setOption(barOption(
        cats.map(function (c) { return c.is_other ? labels.other : c.name; }),
        cats.map(function (c) { return c.count; }), "#0b5cad", true), true);
    }
    if (charts.source) {
      charts.source.setOption({
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        series: [{
          type: "pie", radius: ["32%", "58%"], center: ["50%", "52%"], avoidLabelOverlap: true,
          minShowLabelAngle: 10,
          label: { formatter: "{b}\n{d}%", color: "#1d2733", fontSize: 11, width: 84, overflow: "break" },
          labelLine: { length: 6, length2: 6 },
          data: data.by_source.map(function (s) { return { name: s.label, value: s.count }; })
        }]
      }, true);
    }
    if (charts.street) {
      var streets = data.by_street;
      charts.street.setOption(barOption(
        streets.map(function (s) { return s.name || labels.unknown_street; }),
        streets.map(function (s) { return s.count; }), "#2e7d6b", true), true);
    }
    if (charts.hour) {
      /* Today: the hours still to come have no bar (null), the hour under way is pale, and a
       * note says "- - today so far (to HH:MM)" (data.partial_hour). */
      var hours = []; for (var h = 0; h < 24; h++) hours.push(h + ":00");
      var under = data.partial_hour;
      var values = data.by_hour.map(function (n, i) {
        return under && i === under.index ? { value: n, itemStyle: { opacity: 0.4 } } : n;
      });
      var option = barOption(hours, values, "#7b5cb8", false);
      if (under) {
        option.grid.top = 28;
        option.graphic = [{
          type: "text", right: 16, top: 4, silent: true,
          style: { text: "- - " + under.label, fill: "#5b6b7c", font: "11px sans-serif" }
        }];
      }
      charts.hour.setOption(option, true);
    }
  }
  function refreshCharts() {
    return getJson(config.urls.charts + "?period=" + period).then(drawCharts);
  }
  Array.prototype.forEach.call(document.querySelectorAll(".period-button"), function (button) {
    button.addEventListener("click", function () {
      period = button.getAttribute("data-period");
      Array.prototype.forEach.call(document.querySelectorAll(".period-button"), function (b) {
        b.classList.toggle("is-active", b === button);
        b.setAttribute("aria-pressed", b === button ? "true" : "false");
      });
      refreshCharts();
    });
  });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    if (centreMap) centreMap.map.invalidateSize();
  });

  /* ---- refresh ---------------------------------------------------------------------- */
  function refreshAll() {
    Promise.all([refreshMap(), refreshCharts()]).then(stamp).catch(function () {
      var el = document.getElementById("centre-updated");
      if (el) el.classList.add("is-stale");
    });
  }
  refreshAll();
  setInterval(function () { if (!document.hidden) refreshAll(); }, (config.refresh || 30) * 1000);
})();
