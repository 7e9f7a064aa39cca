/* Staff maps (the case's point, the inspector's position picker) on the shared web/map.js:
   CityLoopMap converts between WGS-84 (everything we store and send) and the tiles' system. */
(function () {
  "use strict";

  function casePoint(el) {
    if (el.dataset.ready) { return; }
    el.dataset.ready = "1";
    var data = JSON.parse(document.getElementById(el.dataset.point).textContent);
    var m = window.CityLoopMap.create(el, window.CityLoopMap.config());
    m.map.setView(m.toDisplay(data.lon, data.lat), 17, { animate: false });
    // after the boundary layers, so that the point is drawn above them
    m.ready.then(function () { m.setPoint(data.lon, data.lat); });
  }

  function picker(el, onPick) {
    if (el.dataset.ready) { return null; }
    el.dataset.ready = "1";
    var m = window.CityLoopMap.create(el, window.CityLoopMap.config());
    m.onPick(function (p) { m.setPoint(p.lon, p.lat); onPick(p.lon, p.lat, "map"); });
    return {
      put: function (lat, lon) {
        m.map.setView(m.toDisplay(lon, lat), 17, { animate: false });
        m.setPoint(lon, lat);
      }
    };
  }

  window.CityLoopStaffMap = { casePoint: casePoint, picker: picker };
})();
