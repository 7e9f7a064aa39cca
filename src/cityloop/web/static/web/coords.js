/* CityLoop coordinates: WGS-84 ↔ GCJ-02 (↔ BD-09), the same formulas as
 * cityloop/geo/coordinates.py (tested against it in web/tests/test_browser.py).
 *
 *   CityLoopCoords.toWgs84(lon, lat, crs)   → [lon, lat]   crs: "wgs84" | "gcj02" | "bd09"
 *   CityLoopCoords.fromWgs84(lon, lat, crs) → [lon, lat]
 * Outside China GCJ-02 equals WGS-84 (as in the Python module).
 */
(function (global) {
  "use strict";
  var A = 6378245.0, EE = 0.00669342162296594323, X_PI = Math.PI * 3000.0 / 180.0;
  var ITERATIONS = 30, TOLERANCE = 1e-10;

  function inChina(lon, lat) {
    return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
  }
  function tLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return r;
  }
  function tLon(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return r;
  }
  function wgs84ToGcj02(lon, lat) {
    if (!inChina(lon, lat)) return [lon, lat];
    var dLat = tLat(lon - 105.0, lat - 35.0), dLon = tLon(lon - 105.0, lat - 35.0);
    var radLat = lat / 180.0 * Math.PI, magic = Math.sin(radLat);
    magic = 1 - EE * magic * magic;
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * Math.PI);
    dLon = (dLon * 180.0) / (A / sqrtMagic * Math.cos(radLat) * Math.PI);
    return [lon + dLon, lat + dLat];
  }
  function gcj02ToBd09(lon, lat) {
    var z = Math.sqrt(lon * lon + lat * lat) + 0.00002 * Math.sin(lat * X_PI);
    var t = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * X_PI);
    return [z * Math.cos(t) + 0.0065, z * Math.sin(t) + 0.006];
  }
  function invert(forward, lon, lat) {
    /* Fixed-point iteration: find p with forward(p) = (lon, lat). */
    var x = lon, y = lat;
    for (var i = 0; i < ITERATIONS; i++) {
      var f = forward(x, y), dx = f[0] - lon, dy = f[1] - lat;
      x -= dx; y -= dy;
      if (Math.abs(dx) < TOLERANCE && Math.abs(dy) < TOLERANCE) break;
    }
    return [x, y];
  }
  function gcj02ToWgs84(lon, lat) { return invert(wgs84ToGcj02, lon, lat); }
  function bd09ToGcj02(lon, lat) { return invert(gcj02ToBd09, lon, lat); }

  function toWgs84(lon, lat, crs) {
    if (!crs || crs === "wgs84") return [lon, lat];
    if (crs === "gcj02") return gcj02ToWgs84(lon, lat);
    if (crs === "bd09") { var g = bd09ToGcj02(lon, lat); return gcj02ToWgs84(g[0], g[1]); }
    throw new Error("unknown CRS " + crs);
  }
  function fromWgs84(lon, lat, crs) {
    if (!crs || crs === "wgs84") return [lon, lat];
    var g = wgs84ToGcj02(lon, lat);
    if (crs === "gcj02") return g;
    if (crs === "bd09") return gcj02ToBd09(g[0], g[1]);
    throw new Error("unknown CRS " + crs);
  }
  global.CityLoopCoords = { toWgs84: toWgs84, fromWgs84: fromWgs84, wgs84ToGcj02: wgs84ToGcj02, gcj02ToWgs84: gcj02ToWgs84 };
})(window);
