/* The citizens' report page: map pick / phone position → hidden lon/lat (WGS-84),
 * photo previews, and a search box that filters the grouped category list. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var lon = form.querySelector("input[name=lon]"), lat = form.querySelector("input[name=lat]");
  var text = document.getElementById("point-text");
  var m = CityLoopMap.create("report-map", CityLoopMap.config());

  function choose(p) {
    lon.value = p.lon; lat.value = p.lat;
    m.setPoint(p.lon, p.lat);
    text.textContent = p.lat.toFixed(5) + ", " + p.lon.toFixed(5);
    text.classList.add("chosen");
  }
  if (lon.value && lat.value) choose({ lon: parseFloat(lon.value), lat: parseFloat(lat.value) });
  m.onPick(choose);
  document.getElementById("locate-me").addEventListener("click", function () {
    text.textContent = text.dataset.locating;
    m.locate(function (p) { choose(p); m.map.setZoom(17); }, function () { text.textContent = text.dataset.denied; });
  });

  var input = document.getElementById("id_photos"), previews = document.getElementById("photo-previews");
  input.addEventListener("change", function () {
    previews.textContent = "";
    Array.prototype.slice.call(input.files, 0, 9).forEach(function (file) {
      var img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      previews.appendChild(img);
    });
  });

  var search = document.getElementById("category-search"), select = document.getElementById("id_category");
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase(), first = null;
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      var groupHit = group.label.toLowerCase().indexOf(q) >= 0, any = false;
      Array.prototype.forEach.call(group.querySelectorAll("option"), function (o) {
        var hit = !q || groupHit || o.textContent.toLowerCase().indexOf(q) >= 0;
        o.hidden = !hit; o.disabled = !hit;
        if (hit) { any = true; if (!first) first = o; }
      });
      group.hidden = !any;
    });
    if (q && first && (!select.value || select.selectedOptions[0].hidden)) first.selected = true;
  });
})();
