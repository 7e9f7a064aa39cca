/* CityLoop maps: one Leaflet module for every page (citizens, workbenches, command centre).
 *
 * Needs, before this file: vendor/leaflet/leaflet.js (+ leaflet.css) and web/coords.js.
 * Configuration comes from the server (cityloop.web.maps.map_config) as a json_script block:
 *     {{ map|json_script:"map-config" }}       (no inline scripts: the CSP forbids them)
 *
 * API (everything in and out is WGS-84 [lon, lat] or GeoJSON in WGS-84; the module converts to
 * and from the tile provider's system, e.g. GCJ-02 for AMap, so no caller ever does):
 *
 *   var m = CityLoopMap.create(element, config, options)
 *       element: a <div> or its id; config: the parsed map-config (CityLoopMap.config() reads
 *       the #map-config block); options: {layers: ["district", "streets", "communities",
 *       "grids"] (default all; grids appear from zoom 15), canvas: false (true draws with a
 *       canvas instead of SVG: faster for thousands of points, but no DOM element per shape)}
 *   m.map                      the Leaflet map (in display coordinates: do not feed it WGS-84)
 *   m.ready                    a Promise resolved when the boundary layers are drawn (the
 *                              element then gets data-ready="1")
 *   m.onPick(fn)               a click/tap on the map calls fn({lon, lat}) in WGS-84
 *   m.setPoint(lon, lat)       shows the one chosen point (a marker), pans to it
 *   m.addPoints(items, style)  items: [{lon, lat, color?, popup?, id?}] → a L.layerGroup of
 *                              circle markers (style: L.circleMarker options); returns it
 *   m.addGeoJSON(data, style)  GeoJSON in WGS-84 → a L.geoJSON layer in display coordinates
 *   m.toDisplay(lon, lat)      WGS-84 → L.LatLng in the tiles' system
 *   m.toWgs84(latlng)          L.LatLng in the tiles' system → {lon, lat} in WGS-84
 *   m.locate(onPoint, onError) the phone's position (navigator.geolocation, always WGS-84)
 *   CityLoopMap.instances      every map created on the page, in order (tests and debugging)
 *
 * With no tile URL configured the map shows the district's own boundary layers on a plain
 * background (served by /map/layers/<layer>.geojson, simplified and cached on the server).
 */
(function (global) {
  "use strict";
  var C = global.CityLoopCoords;
  var STYLES = {
    district: { color: "#0d2740", weight: 3, fill: true, fillColor: "#ffffff", fillOpacity: 0.85 },
    streets: { color: "#1f5fa8", weight: 2.5, fill: false },
    communities: { color: "#6f9bd0", weight: 1.2, dashArray: "5 4", fill: false },
    grids: { color: "#9fb3c8", weight: 0.6, fill: false }
  };
  var GRID_MIN_ZOOM = 15;

  function readConfig(id) {
    var el = document.getElementById(id || "map-config");
    return el ? JSON.parse(el.textContent) : {};
  }

  function reproject(geojson, crs) {
    if (!crs || crs === "wgs84") return geojson;
    function walk(c) {
      if (typeof c[0] === "number") return C.fromWgs84(c[0], c[1], crs);
      return c.map(walk);
    }
    var copy = JSON.parse(JSON.stringify(geojson));
    (copy.features || [copy]).forEach(function (f) {
      var g = f.geometry || f;
      if (g && g.coordinates) g.coordinates = walk(g.coordinates);
    });
    return copy;
  }

  function create(element, config, options) {
    config = config || readConfig();
    options = options || {};
    var crs = config.tileCrs || "wgs84";
    var el = typeof element === "string" ? document.getElementById(element) : element;
    var map = L.map(el, { zoomControl: true, attributionControl: true, preferCanvas: !!options.canvas });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, {
        subdomains: config.tileSubdomains || "abc",
        attribution: config.tileAttribution || "",
        maxZoom: 18
      }).addTo(map);
    } else {
      el.classList.add("map-no-tiles");
    }
    var api = { map: map, crs: crs };
    api.toDisplay = function (lon, lat) {
      var p = C.fromWgs84(lon, lat, crs);
      return L.latLng(p[1], p[0]);
    };
    api.toWgs84 = function (latlng) {
      var p = C.toWgs84(latlng.lng, latlng.lat, crs);
      return { lon: Math.round(p[0] * 1e7) / 1e7, lat: Math.round(p[1] * 1e7) / 1e7 };
    };
    var b = config.bounds, moved = false;
    function fitDistrict() {
      if (b) {
        map.fitBounds(L.latLngBounds(api.toDisplay(b[0][1], b[0][0]), api.toDisplay(b[1][1], b[1][0])), { animate: false, padding: [12, 12] });
      } else {
        map.setView(api.toDisplay(114.13, 22.55), 13, { animate: false });
      }
    }
    fitDistrict();
    /* Until someone moves the map or picks a point, a resize (phone turned, window resized)
     * fits the district again. */
    var fitting = false;
    map.on("dragstart zoomstart", function () { if (!fitting) moved = true; });
    map.on("resize", function () {
      if (moved) return;
      fitting = true; fitDistrict(); fitting = false;
    });
    api.addGeoJSON = function (data, style) {
      return L.geoJSON(reproject(data, crs), { style: style, interactive: false }).addTo(map);
    };
    var wanted = options.layers || ["district", "streets", "communities", "grids"];
    var grids = null;
    api.ready = Promise.all(wanted.map(function (name) {
      var url = config.layersUrl.replace("{layer}", name);
      return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (data) {
          var layer = L.geoJSON(reproject(data, crs), { style: STYLES[name], interactive: false });
          if (name === "grids") { grids = layer; syncGrids(); } else { layer.addTo(map); }
          return layer;
        })
        .catch(function (err) {  /* e.g. the page was left while loading: the map still works */
          console.warn("CityLoop map: layer " + name + " not loaded", err);
          return null;
        });
    }));
    api.ready.then(function () { el.setAttribute("data-ready", "1"); });
    function syncGrids() {
      if (!grids) return;
      if (map.getZoom() >= GRID_MIN_ZOOM) { if (!map.hasLayer(grids)) grids.addTo(map); }
      else if (map.hasLayer(grids)) map.removeLayer(grids);
    }
    map.on("zoomend", syncGrids);
    var marker = null;
    api.setPoint = function (lon, lat) {
      moved = true;
      var ll = api.toDisplay(lon, lat);
      if (!marker) {
        marker = L.circleMarker(ll, { radius: 9, color: "#fff", weight: 3, fillColor: "#d9480f", fillOpacity: 1 }).addTo(map);
      } else {
        marker.setLatLng(ll);
      }
      map.panTo(ll);
    };
    api.onPick = function (fn) {
      map.on("click", function (e) { fn(api.toWgs84(e.latlng)); });
    };
    api.addPoints = function (items, style) {
      var group = L.layerGroup();
      items.forEach(function (it) {
        var opts = Object.assign({ radius: 6, weight: 1, color: "#fff", fillColor: it.color || "#0b5cad", fillOpacity: 0.9 }, style || {});
        var m = L.circleMarker(api.toDisplay(it.lon, it.lat), opts);
        if (it.popup) m.bindPopup(it.popup);
        group.addLayer(m);
      });
      return group.addTo(map);
    };
    api.locate = function (onPoint, onError) {
      if (!navigator.geolocation) { if (onError) onError(new Error("no geolocation")); return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        onPoint({ lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy: pos.coords.accuracy });
      }, function (err) { if (onError) onError(err); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    };
    instances.push(api);
    return api;
  }

  var instances = [];
  global.CityLoopMap = { create: create, config: readConfig, reproject: reproject, STYLES: STYLES, instances: instances };
})(window);
