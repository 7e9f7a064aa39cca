/* Staff pages: close an action form, the inspector's position (GPS, else a map click). */
(function () {
  "use strict";

  function locateNear(near) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      near.querySelector("[name=lon]").value = pos.coords.longitude.toFixed(6);
      near.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
      if (window.htmx) { window.htmx.trigger(near, "located"); } else { near.submit(); }
    }, function () { /* no position: the list stays by deadline */ }, { enableHighAccuracy: true, timeout: 10000 });
  }

  document.addEventListener("click", function (e) {
    var locate = e.target.closest("[data-locate]");
    if (locate && navigator.geolocation) {
      e.preventDefault();
      locateNear(locate.closest("form"));
      return;
    }
    var close = e.target.closest("[data-close-slot]");
    if (close) {
      var slot = close.closest(".action-slot");
      if (slot) { slot.innerHTML = ""; }
    }
  });

  function setPosition(root, lon, lat, how) {
    var form = root.querySelector(".report-form");
    if (form) {
      form.querySelector("[name=lon]").value = lon.toFixed(6);
      form.querySelector("[name=lat]").value = lat.toFixed(6);
      var label = form.querySelector("[data-position]");
      if (label) { label.textContent = lon.toFixed(6) + ", " + lat.toFixed(6) + " (" + how + ")"; }
    }
  }

  function initInspector(root) {
    var pickEl = root.querySelector("[data-pick-map]");
    var pick = null;
    if (pickEl && window.L && window.CityLoopStaffMap) {
      pick = window.CityLoopStaffMap.picker(pickEl, function (lon, lat, how) { setPosition(document, lon, lat, how); });
    }
    var near = document.getElementById("near-form");
    var body = document.body;  // locate once per page, not on every swapped fragment
    if (!navigator.geolocation || !(pickEl || near) || body.dataset.located) { return; }
    body.dataset.located = "1";
    navigator.geolocation.getCurrentPosition(function (pos) {
      var lon = pos.coords.longitude, lat = pos.coords.latitude;
      setPosition(document, lon, lat, "GPS");
      if (pick) { pick.put(lat, lon, true); }
      if (near) {
        near.querySelector("[name=lon]").value = lon.toFixed(6);
        near.querySelector("[name=lat]").value = lat.toFixed(6);
        if (window.htmx) { window.htmx.trigger(near, "located"); }
      }
    }, function () { /* no GPS: the map click is the fallback */ }, { enableHighAccuracy: true, timeout: 10000 });
  }

  function init(root) {
    if (window.L && window.CityLoopStaffMap) {
      root.querySelectorAll(".case-map[data-point]").forEach(window.CityLoopStaffMap.casePoint);
    }
    initInspector(root === document ? document.body : root);
  }

  if (window.htmx) { window.htmx.onLoad(init); } else { document.addEventListener("DOMContentLoaded", function () { init(document); }); }
})();
